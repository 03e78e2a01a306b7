// The cloud's services beyond the instance API, as the "cluster" section's "cloud" object sets them: the load
// balancer's health checks, IAM, infrastructure as code, block volumes and target-tracking scale-out. Each service is a
// control API (which a fault can make fail) and a data plane that keeps its state. Defaults are cited in
// models/cloud/core/cloud_core.h.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "models/cloud/core/cloud_core.h"
#include "sim/util/units.h"

namespace planelab {

/// An operator's IAM change through the IAM control API at a time.
struct IamChangeSpec {
  SimTime at = 0;
  std::string role;
  bool grant = true;  // "grant" or "revoke"
};

/// A workload that calls a cloud data-plane API signed with a role, at a rate: 403 until the role is effective.
struct IamCallerSpec {
  std::string role;
  double rate = 10;  // requests per second
  SimTime start = 0;
};

/// One IaC pipeline run (terraform apply) at a time: the resources the configuration declares after this change.
struct IacRunSpec {
  SimTime at = 0;
  std::vector<cloud::Resource> resources;
};

/// An operator attaches a volume through the volume control API at a time.
struct VolumeAttachSpec {
  SimTime at = 0;
  std::string volume;
};

struct CloudSpec {
  // Target health checks: off by default, so the load balancer routes to every registered target as scenarios
  // recorded before they existed expect; on, with ELB's defaults (cloud_core.h) unless set.
  bool health_checks = false;
  cloud::HealthCheckConfig health_check;
  // Control-API calls that hang (the `timeouts` mode of cloud-control-plane-outage) fail after this: the AWS SDKs'
  // default socket timeout is 60 s; the AWS CLI's --cli-read-timeout default is 60 s.
  SimTime api_timeout = 60 * kSec;
  // An operator (or a script) retries a failed control-API call after this.
  SimTime retry_interval = 10 * kSec;
  // IAM.
  cloud::IamPropagationConfig iam;
  std::vector<IamChangeSpec> iam_changes;
  std::vector<IamCallerSpec> iam_callers;
  // Infrastructure as code.
  cloud::ApplyConfig iac;
  std::vector<IacRunSpec> iac_runs;
  // Block volumes (EBS-like): `volumes` attached before the run, each doing `volume_iops` (Poisson, half reads) on a
  // gp3-like disk; more attached through the control API.
  uint32_t volumes = 0;
  double volume_iops = 50;
  SimTime volume_io_timeout = 30 * kSec;  // the guest's SCSI command timeout
  std::vector<VolumeAttachSpec> volume_attaches;
  // Target tracking on the load balancer's requests per instance (ALBRequestCountPerTarget); 0: off, the group
  // keeps `nodes` instances.
  double requests_per_instance = 0;
};

}  // namespace planelab
