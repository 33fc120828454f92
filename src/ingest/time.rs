//! The timestamp formats CloudTrail, STS and GuardDuty actually write.
