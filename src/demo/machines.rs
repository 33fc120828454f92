//! The workloads: EC2 instances whose instance-profile credentials refresh every few hours
//! (`AssumeRole` by `ec2.amazonaws.com`, session name = the instance ID) and Lambda functions
//! whose execution role is assumed at each cold start, both calling APIs at a steady rate.

use std::io;
use std::rc::Rc;

use super::clock::{HOUR, MINUTE, utc};
use super::creds::CredRef;
use super::geo;
use super::org::PROD;
use super::sim::{Assumer, CallSpec, Caller, IssueSpec, Sim, Task};
use super::ua::Ua;

pub const INSTANCE_REFRESH: i64 = 3 * HOUR;
const INSTANCE_LIFETIME: i64 = 6 * HOUR;

pub fn call_gap(sim: &mut Sim, per_hour: f64) -> i64 {
    let rate = (per_hour * sim.scale).max(1e-6);
    (sim.rng.exp(HOUR as f64 / rate) as i64).max(1000)
}

pub fn instance_cred(
    sim: &mut Sim,
    i: usize,
    issued: i64,
    omit: Option<&'static str>,
    key: Option<(String, String)>,
) -> io::Result<CredRef> {
    let inst = sim.org.instances[i].clone();
    let note = key.as_ref().map(|(k, role)| {
        format!("access key {k} was also issued to {role} earlier: temporary keys can repeat, qualify by role and time")
    });
    let spec = IssueSpec {
        via: "AssumeRole",
        role: inst.role,
        session_name: &inst.id,
        time_ms: issued,
        duration_ms: INSTANCE_LIFETIME,
        region: inst.region,
        ip: "ec2.amazonaws.com",
        ua: "ec2.amazonaws.com",
        source_identity: None,
        external_id: None,
        omit,
        key: key.map(|k| k.0),
        note,
    };
    sim.issue(Assumer::Service("ec2.amazonaws.com"), spec)
}

pub fn instance_refresh(sim: &mut Sim, i: usize) -> io::Result<()> {
    // Now and then a refresh is lost (a delivery gap): the calls still use the new key.
    let omit = sim.rng.chance(0.005).then_some("a gap in log delivery");
    // Once, a dev builder gets the same key an old prod issuance had.
    let reuse = if i == 6 && sim.now >= utc(2026, 11, 2, 0, 0, 0) && omit.is_none() {
        sim.reusable_key.take()
    } else {
        None
    };
    let cred = instance_cred(sim, i, sim.now, omit, reuse)?;
    sim.instances[i] = Some(cred);
    let next = sim.now + INSTANCE_REFRESH + sim.rng.range(-15 * MINUTE, 15 * MINUTE);
    sim.at(next, Task::InstanceRefresh(i));
    Ok(())
}

pub fn instance_call(sim: &mut Sim, i: usize) -> io::Result<()> {
    let inst = sim.org.instances[i].clone();
    if let Some(cred) = sim.instances[i].clone() {
        let api = sim.cat.draw(&mut sim.rng, inst.mix);
        let ua = if inst.role == sim.org.role(PROD, "batch-worker-role") {
            Ua::JavaSdk
        } else {
            Ua::Boto3Linux
        };
        let spec = CallSpec {
            api,
            region: inst.region,
            ip: &inst.public_ip,
            ua,
            request: None,
            fail: None,
            force_truth: false,
            scaled: true,
        };
        sim.call(Caller::Cred(&cred), spec)?;
    }
    let gap = call_gap(sim, inst.calls_per_hour);
    sim.at(sim.now + gap, Task::InstanceCall(i));
    Ok(())
}

pub fn function_cred(
    sim: &mut Sim,
    f: usize,
    issued: i64,
    omit: Option<&'static str>,
) -> io::Result<CredRef> {
    let func = sim.org.functions[f].clone();
    let spec = IssueSpec {
        via: "AssumeRole",
        role: func.role,
        session_name: func.name,
        time_ms: issued,
        duration_ms: 12 * HOUR,
        region: func.region,
        ip: "lambda.amazonaws.com",
        ua: "lambda.amazonaws.com",
        source_identity: None,
        external_id: None,
        omit,
        key: None,
        note: None,
    };
    sim.issue(Assumer::Service("lambda.amazonaws.com"), spec)
}

/// A cold start: Lambda assumes the execution role for the new execution environment.
pub fn function_start(sim: &mut Sim, f: usize) -> io::Result<()> {
    let cred = function_cred(sim, f, sim.now, None)?;
    sim.functions[f] = Some(cred);
    let next = sim.now + sim.rng.range(HOUR, 4 * HOUR);
    sim.at(next, Task::FunctionStart(f));
    Ok(())
}

pub fn function_call(sim: &mut Sim, f: usize) -> io::Result<()> {
    let func = sim.org.functions[f].clone();
    if let Some(cred) = sim.functions[f].clone() {
        let api = sim.cat.draw(&mut sim.rng, func.mix);
        let ip = geo::address(
            &mut sim.rng,
            if func.region == 1 {
                geo::NAT_US_WEST_2
            } else {
                geo::NAT_US_EAST_1
            },
        );
        let spec = CallSpec {
            api,
            region: func.region,
            ip: &ip,
            ua: Ua::NodeLambda,
            request: None,
            fail: None,
            force_truth: false,
            scaled: true,
        };
        sim.call(Caller::Cred(&cred), spec)?;
    }
    let gap = call_gap(sim, func.calls_per_hour);
    sim.at(sim.now + gap, Task::FunctionCall(f));
    Ok(())
}

/// The instance credentials currently held by instance `i` (for the exfiltration script).
pub fn instance_cred_now(sim: &Sim, i: usize) -> Option<CredRef> {
    sim.instances
        .get(i)
        .cloned()
        .flatten()
        .map(|c| Rc::clone(&c))
}
