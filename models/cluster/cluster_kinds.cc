#include "models/cluster/cluster_kinds.h"

#include "models/apiserver/control/api_server_control_metrics.h"
#include "models/apiserver/mgmt/kubectl_metrics.h"
#include "models/cloud/cloud_services_metrics.h"
#include "models/cloud/control/cloud_control_metrics.h"
#include "models/cloud/data/load_balancer_metrics.h"
#include "models/controller/control/controller_manager_metrics.h"
#include "models/mesh/data/sidecar_metrics.h"
#include "models/node/control/kubelet_metrics.h"
#include "models/node/data/node_data_metrics.h"
#include "models/serviceclient/service_client_metrics.h"
#include "models/store/control/store_control_metrics.h"
#include "models/store/data/store_data_metrics.h"

namespace planelab {

std::vector<DeviceKindDecl> ClusterKinds() {
  return {
      {"store-member",
       "etcd-like replicated store member: data = key-value service and state machine (port 2379), control = Raft "
       "with its WAL fsynced on the member disk (port 2380)",
       {&StoreDataMetrics::Get(), &StoreControlMetrics::Get(), &StoreSafetyMetrics::Get()}},
      {"api-server",
       "Kubernetes-like API server: control = verbs with inflight limits and timeouts, writes through the store, "
       "reads and watches from its watch cache; management = the operators kubectl (also the cluster dashboard)",
       {&ApiServerControlMetrics::Get(), &KubectlMgmtMetrics::Get()}},
      {"controller-manager",
       "kube-controller-manager with kube-scheduler: scheduler, deployment (rolling update), node lifecycle",
       {&ControllerManagerMetrics::Get()}},
      {"node",
       "worker instance slot: data = pods serving and kube-proxy service routing, control = kubelet and "
       "kube-proxy; down while no instance runs in the slot",
       {&NodeDataMetrics::Get(), &KubeletMetrics::Get(), &NodeSidecarMetrics::Get()}},
      {"cloud-api",
       "cloud provider: control = the control APIs (instance launch with the auto-scaling group and retirement, IAM, "
       "load-balancer registration, volume attach) and the IaC pipeline; data = what keeps serving without them: the "
       "load balancer (health checks, fail open), the IAM replica, block volumes",
       {&LoadBalancerMetrics::Get(), &CloudServicesDataMetrics::Get(), &CloudControlMetrics::Get(),
        &CloudServicesControlMetrics::Get()}},
      {"service-client", "users of the cluster services, through the cloud load balancer",
       {&ServiceClientMetrics::Get(), &ClientSidecarMetrics::Get()}},
  };
}

}  // namespace planelab
