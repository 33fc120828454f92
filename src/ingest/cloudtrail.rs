//! Normalising one CloudTrail record (typed, borrowed serde mirror) into `model::Event`.
