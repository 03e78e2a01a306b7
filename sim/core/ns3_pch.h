// Precompiled ns-3 headers for the targets that talk to ns-3 (build time is a real cost).
#pragma once
#include <ns3/core-module.h>
#include <ns3/network-module.h>
#include <ns3/internet-module.h>
#include <ns3/point-to-point-module.h>
#include <ns3/traffic-control-module.h>
