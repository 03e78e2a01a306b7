// The model families PlaneLab ships, one line each. Adding a family: create its folder (docs/families.md) and
// add X(Name) here. Each family defines, in its folder:
//   void RegisterNameCatalog(ModelCatalog&)   — pure: its scenario sections, declarable kinds, kind entries;
//   void RegisterNameDevices(DeviceRegistry&) — its device kinds' factories (the kernel-bound part).
// Order is registration order: sections (and so the composed schema) and the kind catalogue follow it.
#pragma once

#define PLANELAB_FAMILIES(X) \
  X(Router)                  \
  X(Host)                    \
  X(Monitor)                 \
  X(Cluster)                 \
  X(Switch)                  \
  X(SdnController)           \
  X(Mesh)                    \
  X(Storage)                 \
  /* one line per family, above this one */
