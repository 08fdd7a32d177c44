// Unit tests' fixture for LAN flow generation (flows/lan.h): a network, its
// ports, neighbours and remotes, generated and parsed by the OVS library;
// shared by tests/test-lan.cc and tests/test-lan-remote.cc.
#ifndef VNET_TESTS_LAN_FIXTURE_H
#define VNET_TESTS_LAN_FIXTURE_H 1

#include <gtest/gtest.h>

#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "flows/flow-units.h"
#include "flows/lan.h"
#include "tests/flow-lines.h"
#include "tests/flow-round-trip.h"

namespace {

const uint32_t kGw = (10u << 24) | (5u << 16) | 1;     // 10.5.0.1
const uint32_t kIp11 = (10u << 24) | (5u << 16) | 11;  // 10.5.0.11

struct Lan {
    std::vector<lan_port> ports;
    std::vector<lan_neighbor> neighbors;
    std::vector<lan_remote> remotes;
    std::vector<lan_remote_port> remote_ports;
    std::vector<lan_tunnel_port> tunnels;
    std::vector<uint32_t> sources, relay_sources;
    lan_network net{};

    Lan()
    {
        lan_port secured{};
        secured.name = "ep1";
        secured.object = 0x11111111;
        secured.ofport = 3;
        secured.has_mac = true;
        const uint8_t mac[6] = {0x0a, 0, 0, 0, 0, 0x11};
        memcpy(secured.mac, mac, 6);
        secured.has_ip = true;
        secured.ip = kIp11;
        ports.push_back(secured);

        lan_port open{};
        open.name = "vm1";
        open.object = 0x22222222;
        open.ofport = 4;
        ports.push_back(open);

        lan_neighbor n{};
        n.object = 0x11111111;
        memcpy(n.mac, mac, 6);
        n.ip = kIp11;
        neighbors.push_back(n);

        net.name = "net1";
        net.object = 0xabcdef01;
        net.segment_id = 7;
        net.gateway = kGw;
        const uint8_t gw_mac[6] = {0x02, 0x76, 0x6e, 0, 0, 7};
        memcpy(net.gateway_mac, gw_mac, 6);
        net.mac_limit = 100;
    }

    std::vector<std::string>
    generate()
    {
        bind();
        flow_table t;
        flow_table_init(&t);
        char *error = lan_flows_generate(&net, 1, tunnels.data(),
                                         tunnels.size(), &t);
        EXPECT_EQ(error, nullptr) << error;
        std::string s;
        if (!error) {
            expect_flows_come_back_unchanged(&t);
            char *text = flow_table_format(&t);
            s = text;
            free(text);
        }
        flow_table_destroy(&t);
        free(error);
        return lines_of(s);
    }

    // The units of a pass over the network, in 'units'.
    void
    pass(flow_units *units)
    {
        bind();
        flow_units_begin(units);
        char *error = lan_flows_generate_units(&net, 1, tunnels.data(),
                                               tunnels.size(), units);
        EXPECT_EQ(error, nullptr) << error;
        free(error);
        flow_units_end(units);
    }

    void
    bind()
    {
        net.ports = ports.data();
        net.n_ports = ports.size();
        net.neighbors = neighbors.data();
        net.n_neighbors = neighbors.size();
        net.remotes = remotes.data();
        net.n_remotes = remotes.size();
        net.remote_ports = remote_ports.data();
        net.n_remote_ports = remote_ports.size();
        net.sources = sources.data();
        net.n_sources = sources.size();
        net.relay_sources = relay_sources.data();
        net.n_relay_sources = relay_sources.size();
    }
};

inline void
ignore_flow(const vnet_flow *, void *)
{
}

// The neighbour (MAC and IP) of port 'p'.
inline lan_neighbor
neighbor_of(const lan_port &p)
{
    lan_neighbor n{};
    n.object = p.object;
    memcpy(n.mac, p.mac, 6);
    n.ip = p.ip;
    return n;
}

inline std::string
units_text(const flow_units *u)
{
    flow_table t;
    flow_table_init(&t);
    flow_units_to_table(u, &t);
    char *text = flow_table_format(&t);
    std::string s = text;
    free(text);
    flow_table_destroy(&t);
    return s;
}

// The next pass over the network finds nothing to change in 'u' (what a
// pass or a patch left dirty taken first).
inline void
expect_next_pass_changes_nothing(Lan &lan, flow_units *u)
{
    flow_units_take_dirty(u, ignore_flow, nullptr);
    lan.pass(u);
    EXPECT_EQ(flow_units_n_dirty(u), 0u);
}

}  // namespace

#endif  // tests/lan-fixture.h
