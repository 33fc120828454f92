//! The generated organisation: a deterministic generator of realistic CloudTrail, GuardDuty and
//! VPC flow files (the demo walkthrough, ground truth for attribution, benchmark data).
