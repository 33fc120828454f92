//! Normalising one GuardDuty finding, in the API's PascalCase (`get-findings`) or the
//! EventBridge / S3 export camelCase, into `model::Finding`.
