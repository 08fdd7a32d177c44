// Unit tests: reading ofproto/trace's text back (tools/trace-parse.h).  The
// texts are what ovs-vswitchd 3.1 printed for a two-switch network (VXLAN),
// with a router, its uplink on port 4, snat and a dnat rule.
#include <gtest/gtest.h>

#include <cstdlib>
#include <string>

#include "tools/trace-parse.h"

namespace {

const char *kTunnel = R"TRACE(Flow: icmp,in_port=2,vlan_tci=0x0000,dl_src=0a:cf:2b:3a:bd:3c,dl_dst=0a:cf:b7:1b:58:25,nw_src=10.5.0.11,nw_dst=10.5.0.12,nw_tos=0,nw_ecn=0,nw_ttl=64,nw_frag=no,icmp_type=8,icmp_code=0

bridge("br-vnet")
-----------------
 0. ip,in_port=2,dl_src=0a:cf:2b:3a:bd:3c,nw_src=10.5.0.11, priority 100, cookie 0x76020000381772b4
    set_field:0x1->metadata
    goto_table:10
10. priority 0, cookie 0x7601000000000000
    goto_table:20
20. priority 0, cookie 0x7601000000000000
    goto_table:30
30. metadata=0x1,dl_dst=0a:cf:b7:1b:58:25, priority 100, cookie 0x760700000a00d9da
    set_field:0x1->tun_id
    set_field:192.168.50.2->tun_dst
    output:1
     -> output to native tunnel
     -> tunneling to 192.168.50.2 via br-phy
     -> tunneling from 0e:76:c0:a8:32:01 192.168.50.1 to 0e:76:c0:a8:32:02 192.168.50.2

bridge("br-phy")
----------------
 0. priority 0
    NORMAL
     -> forwarding to learned port

Final flow: icmp,tun_src=0.0.0.0,tun_dst=192.168.50.2,tun_ipv6_src=::,tun_ipv6_dst=::,tun_gbp_id=0,tun_gbp_flags=0,tun_tos=0,tun_ttl=0,tun_erspan_ver=0,gtpu_flags=0,gtpu_msgtype=0,tun_flags=0,metadata=0x1,in_port=2,vlan_tci=0x0000,dl_src=0a:cf:2b:3a:bd:3c,dl_dst=0a:cf:b7:1b:58:25,nw_src=10.5.0.11,nw_dst=10.5.0.12,nw_tos=0,nw_ecn=0,nw_ttl=64,nw_frag=no,icmp_type=8,icmp_code=0
Megaflow: recirc_id=0,eth,ip,in_port=2,dl_src=0a:cf:2b:3a:bd:3c,dl_dst=0a:cf:b7:1b:58:25,nw_src=10.5.0.11,nw_ecn=0,nw_frag=no
Datapath actions: tnl_push(tnl_port(4),header(size=50,type=4,eth(dst=0e:76:c0:a8:32:02,src=0e:76:c0:a8:32:01,dl_type=0x0800),ipv4(src=192.168.50.1,dst=192.168.50.2,proto=17,tos=0,ttl=64,frag=0x4000),udp(src=0,dst=4789,csum=0x0),vxlan(flags=0x8000000,vni=0x1)),out_port(3)),2
)TRACE";
const char *kSpoof = R"TRACE(Flow: icmp,in_port=2,vlan_tci=0x0000,dl_src=0a:cf:2b:3a:bd:3c,dl_dst=0a:cf:b7:1b:58:25,nw_src=10.5.0.99,nw_dst=10.5.0.12,nw_tos=0,nw_ecn=0,nw_ttl=64,nw_frag=no,icmp_type=8,icmp_code=0

bridge("br-vnet")
-----------------
 0. in_port=2, priority 90, cookie 0x76020000381772b4
    drop

Final flow: unchanged
Megaflow: recirc_id=0,eth,ip,in_port=2,dl_src=0a:cf:2b:3a:bd:3c,nw_src=10.5.0.64/26,nw_frag=no
Datapath actions: drop
)TRACE";
const char *kGateway = R"TRACE(Flow: icmp,in_port=2,vlan_tci=0x0000,dl_src=0a:cf:2b:3a:bd:3c,dl_dst=02:76:6e:00:00:01,nw_src=10.5.0.11,nw_dst=10.5.0.1,nw_tos=0,nw_ecn=0,nw_ttl=64,nw_frag=no,icmp_type=8,icmp_code=0

bridge("br-vnet")
-----------------
 0. ip,in_port=2,dl_src=0a:cf:2b:3a:bd:3c,nw_src=10.5.0.11, priority 100, cookie 0x76020000381772b4
    set_field:0x1->metadata
    goto_table:10
10. icmp,metadata=0x1,dl_dst=02:76:6e:00:00:01,nw_dst=10.5.0.1,icmp_type=8,icmp_code=0, priority 100, cookie 0x760400001237f746
    move:NXM_OF_ETH_SRC[]->NXM_OF_ETH_DST[]
     -> NXM_OF_ETH_DST[] is now 0a:cf:2b:3a:bd:3c
    set_field:02:76:6e:00:00:01->eth_src
    move:NXM_OF_IP_SRC[]->NXM_OF_IP_DST[]
     -> NXM_OF_IP_DST[] is now 10.5.0.11
    set_field:10.5.0.1->ip_src
    set_field:64->nw_ttl
    set_field:0->icmp_type
    IN_PORT

Final flow: icmp,metadata=0x1,in_port=2,vlan_tci=0x0000,dl_src=02:76:6e:00:00:01,dl_dst=0a:cf:2b:3a:bd:3c,nw_src=10.5.0.1,nw_dst=10.5.0.11,nw_tos=0,nw_ecn=0,nw_ttl=64,nw_frag=no,icmp_type=0,icmp_code=0
Megaflow: recirc_id=0,eth,icmp,in_port=2,dl_src=0a:cf:2b:3a:bd:3c,dl_dst=02:76:6e:00:00:01,nw_src=10.5.0.11,nw_dst=10.5.0.1,nw_ttl=64,nw_frag=no,icmp_type=0x8/0xff,icmp_code=0x0/0xff
Datapath actions: set(eth(src=02:76:6e:00:00:01,dst=0a:cf:2b:3a:bd:3c)),set(ipv4(src=10.5.0.1,dst=10.5.0.11)),set(icmp(type=0,code=0)),5
This flow is handled by the userspace slow path because it:
  - Uses action(s) not supported by datapath.
)TRACE";
const char *kDnat = R"TRACE(Flow: tcp,in_port=4,vlan_tci=0x0000,dl_src=ba:d7:e1:ec:e3:80,dl_dst=02:76:6e:00:00:04,nw_src=198.51.100.10,nw_dst=203.0.113.2,nw_tos=0,nw_ecn=0,nw_ttl=64,nw_frag=no,tp_src=40000,tp_dst=8080,tcp_flags=0

bridge("br-vnet")
-----------------
 0. ip,in_port=4, priority 100, cookie 0x760c000070aa3d58
    dec_ttl
    set_field:0x4->metadata
    set_field:0x1->reg4
    goto_table:40
40. ip,metadata=0x4, priority 50, cookie 0x760e000070aa3d58
    ct(table=42,zone=2,nat)
    nat
     -> A clone of the packet is forked to recirculate. The forked pipeline will be resumed at table 42.
     -> Sets the packet to an untracked state, and clears all the conntrack fields.

Final flow: tcp,reg4=0x1,metadata=0x4,in_port=4,vlan_tci=0x0000,dl_src=ba:d7:e1:ec:e3:80,dl_dst=02:76:6e:00:00:04,nw_src=198.51.100.10,nw_dst=203.0.113.2,nw_tos=0,nw_ecn=0,nw_ttl=63,nw_frag=no,tp_src=40000,tp_dst=8080,tcp_flags=0
Megaflow: recirc_id=0,eth,tcp,in_port=4,nw_dst=203.0.113.2,nw_ttl=64,nw_frag=no
Datapath actions: set(ipv4(ttl=63)),ct(zone=2,nat),recirc(0x5)

===============================================================================
recirc(0x5) - resume conntrack with default ct_state=trk|new (use --ct-next to customize)
Replacing src/dst IP/ports to simulate NAT:
 Initial flow: 
 Modified flow: 
===============================================================================

Flow: recirc_id=0x5,ct_state=new|trk,ct_zone=2,eth,tcp,reg4=0x1,metadata=0x4,in_port=4,vlan_tci=0x0000,dl_src=ba:d7:e1:ec:e3:80,dl_dst=02:76:6e:00:00:04,nw_src=198.51.100.10,nw_dst=203.0.113.2,nw_tos=0,nw_ecn=0,nw_ttl=63,nw_frag=no,tp_src=40000,tp_dst=8080,tcp_flags=0

bridge("br-vnet")
-----------------
    thaw
        Resuming from table 42
42. ct_state=+new+trk,tcp,metadata=0x4,nw_dst=203.0.113.2,tp_dst=8080, priority 150, cookie 0x760d0000a204e0c3
    ct(commit,table=43,zone=2,nat(dst=10.5.0.12:8080))
    nat(dst=10.5.0.12:8080)
     -> A clone of the packet is forked to recirculate. The forked pipeline will be resumed at table 43.
     -> Sets the packet to an untracked state, and clears all the conntrack fields.

Final flow: recirc_id=0x5,eth,tcp,reg4=0x1,metadata=0x4,in_port=4,vlan_tci=0x0000,dl_src=ba:d7:e1:ec:e3:80,dl_dst=02:76:6e:00:00:04,nw_src=198.51.100.10,nw_dst=203.0.113.2,nw_tos=0,nw_ecn=0,nw_ttl=63,nw_frag=no,tp_src=40000,tp_dst=8080,tcp_flags=0
Megaflow: recirc_id=0x5,ct_state=+new-inv+trk,eth,tcp,in_port=4,nw_dst=203.0.113.2,nw_frag=no,tp_dst=8080
Datapath actions: ct(commit,zone=2,nat(dst=10.5.0.12:8080)),recirc(0x6)

===============================================================================
recirc(0x6) - resume conntrack with default ct_state=trk|new (use --ct-next to customize)
Replacing src/dst IP/ports to simulate NAT:
 Initial flow: nw_src=198.51.100.10,tp_src=40000,nw_dst=203.0.113.2,tp_dst=8080
 Modified flow: nw_src=198.51.100.10,tp_src=40000,nw_dst=10.5.0.12,tp_dst=8080
===============================================================================

Flow: recirc_id=0x6,ct_state=new|trk,ct_zone=2,eth,tcp,reg4=0x1,metadata=0x4,in_port=4,vlan_tci=0x0000,dl_src=ba:d7:e1:ec:e3:80,dl_dst=02:76:6e:00:00:04,nw_src=198.51.100.10,nw_dst=10.5.0.12,nw_tos=0,nw_ecn=0,nw_ttl=63,nw_frag=no,tp_src=40000,tp_dst=8080,tcp_flags=0

bridge("br-vnet")
-----------------
    thaw
        Resuming from table 43
43. ip,metadata=0x4,nw_dst=10.5.0.0/16, priority 116, cookie 0x760e000070aa3d58
    set_field:02:76:6e:00:00:01->eth_src
    set_field:0x1->metadata
    resubmit(,24)
24. ip,metadata=0x1,nw_dst=10.5.0.12, priority 100, cookie 0x760b00000a00d9da
    set_field:0a:cf:b7:1b:58:25->eth_dst
    goto_table:30
30. metadata=0x1,dl_dst=0a:cf:b7:1b:58:25, priority 100, cookie 0x760700000a00d9da
    set_field:0x1->tun_id
    set_field:192.168.50.2->tun_dst
    output:1
     -> output to native tunnel
     -> tunneling to 192.168.50.2 via br-phy
     -> tunneling from 0e:76:c0:a8:32:01 192.168.50.1 to 0e:76:c0:a8:32:02 192.168.50.2

bridge("br-phy")
----------------
 0. priority 0
    NORMAL
     -> forwarding to learned port

Final flow: recirc_id=0x6,ct_state=new|trk,ct_zone=2,eth,tcp,reg4=0x1,tun_src=0.0.0.0,tun_dst=192.168.50.2,tun_ipv6_src=::,tun_ipv6_dst=::,tun_gbp_id=0,tun_gbp_flags=0,tun_tos=0,tun_ttl=0,tun_erspan_ver=0,gtpu_flags=0,gtpu_msgtype=0,tun_flags=0,metadata=0x1,in_port=4,vlan_tci=0x0000,dl_src=02:76:6e:00:00:01,dl_dst=0a:cf:b7:1b:58:25,nw_src=198.51.100.10,nw_dst=10.5.0.12,nw_tos=0,nw_ecn=0,nw_ttl=63,nw_frag=no,tp_src=40000,tp_dst=8080,tcp_flags=0
Megaflow: recirc_id=0x6,ct_state=-rpl+trk-dnat,eth,ip,in_port=4,dl_src=ba:d7:e1:ec:e3:80,dl_dst=02:76:6e:00:00:04,nw_dst=10.5.0.12,nw_ecn=0,nw_frag=no
Datapath actions: set(eth(src=02:76:6e:00:00:01,dst=0a:cf:b7:1b:58:25)),tnl_push(tnl_port(4),header(size=50,type=4,eth(dst=0e:76:c0:a8:32:02,src=0e:76:c0:a8:32:01,dl_type=0x0800),ipv4(src=192.168.50.1,dst=192.168.50.2,proto=17,tos=0,ttl=64,frag=0x4000),udp(src=0,dst=4789,csum=0x0),vxlan(flags=0x8000000,vni=0x1)),out_port(3)),2
)TRACE";

struct Parsed {
    explicit Parsed(const char *text, const char *bridge = "br-vnet")
    {
        error = trace_text_parse(text, bridge, &t);
    }
    ~Parsed()
    {
        if (!error) {
            trace_text_destroy(&t);
        }
        free(error);
    }
    trace_text t;
    char *error;
};

TEST(TraceParse, TunnelOutput)
{
    Parsed p(kTunnel);
    ASSERT_EQ(p.error, nullptr);
    ASSERT_EQ(p.t.n_hits, 4u);       // br-phy's NORMAL is not ours
    EXPECT_EQ(p.t.hits[0].table, 0);
    EXPECT_EQ(p.t.hits[0].priority, 100);
    EXPECT_STREQ(p.t.hits[0].match,
                 "ip,in_port=2,dl_src=0a:cf:2b:3a:bd:3c,nw_src=10.5.0.11");
    EXPECT_TRUE(p.t.hits[0].has_cookie);
    EXPECT_EQ(p.t.hits[0].cookie, 0x76020000381772b4ULL);
    EXPECT_EQ(p.t.hits[1].table, 10);
    EXPECT_STREQ(p.t.hits[1].match, "");
    EXPECT_EQ(p.t.hits[1].priority, 0);
    EXPECT_EQ(p.t.hits[3].table, 30);
    ASSERT_EQ(p.t.hits[3].actions.n, 3u);
    EXPECT_STREQ(p.t.hits[3].actions.names[2], "output:1");
    ASSERT_EQ(p.t.hits[3].notes.n, 3u);
    EXPECT_STREQ(p.t.hits[3].notes.names[0], "output to native tunnel");
    EXPECT_FALSE(p.t.dropped);

    ASSERT_EQ(p.t.n_outputs, 1u);
    const trace_output *o = &p.t.outputs[0];
    EXPECT_STREQ(o->port, "1");
    EXPECT_TRUE(o->has_tun_id);
    EXPECT_EQ(o->tun_id, 1u);
    EXPECT_STREQ(o->tun_dst, "192.168.50.2");
    EXPECT_EQ(o->vlan_vid, -1);
    std::string flow = trace_output_flow(&p.t, o);
    EXPECT_NE(flow.find("tun_dst=192.168.50.2"), std::string::npos);
    EXPECT_NE(flow.find("nw_dst=10.5.0.12"), std::string::npos);
}

TEST(TraceParse, Drop)
{
    Parsed p(kSpoof);
    ASSERT_EQ(p.error, nullptr);
    ASSERT_EQ(p.t.n_hits, 1u);
    EXPECT_STREQ(p.t.hits[0].match, "in_port=2");
    EXPECT_EQ(p.t.hits[0].priority, 90);
    EXPECT_TRUE(p.t.dropped);
    EXPECT_EQ(p.t.drop_hit, 0u);
    EXPECT_EQ(p.t.n_outputs, 0u);
    ASSERT_EQ(p.t.n_passes, 1u);
    EXPECT_EQ(p.t.passes[0].final_flow, nullptr);   // "unchanged"
}

TEST(TraceParse, InPort)
{
    Parsed p(kGateway);
    ASSERT_EQ(p.error, nullptr);
    ASSERT_EQ(p.t.n_outputs, 1u);
    EXPECT_STREQ(p.t.outputs[0].port, "IN_PORT");
    EXPECT_EQ(p.t.outputs[0].hit, 1u);
    // The notes of a move: not actions.
    EXPECT_EQ(p.t.hits[1].actions.n, 7u);
    EXPECT_EQ(p.t.hits[1].notes.n, 2u);
}

TEST(TraceParse, ConntrackPassesAndNat)
{
    Parsed p(kDnat);
    ASSERT_EQ(p.error, nullptr);
    ASSERT_EQ(p.t.n_passes, 3u);
    ASSERT_EQ(p.t.n_hits, 6u);
    EXPECT_EQ(p.t.hits[2].table, 42);
    EXPECT_EQ(p.t.hits[2].pass, 1u);
    EXPECT_EQ(p.t.hits[3].table, 43);
    EXPECT_EQ(p.t.hits[4].table, 24);   // after resubmit(,24)
    EXPECT_EQ(p.t.hits[5].table, 30);
    EXPECT_EQ(p.t.hits[5].pass, 2u);
    EXPECT_STREQ(p.t.dnat, "10.5.0.12:8080");
    EXPECT_EQ(p.t.snat, nullptr);
    ASSERT_EQ(p.t.n_outputs, 1u);
    std::string flow = trace_output_flow(&p.t, &p.t.outputs[0]);
    EXPECT_NE(flow.find("nw_dst=10.5.0.12"), std::string::npos);
    EXPECT_NE(flow.find("dl_dst=0a:cf:b7:1b:58:25"), std::string::npos);
}

TEST(TraceParse, OtherBridgeOnly)
{
    Parsed p(kTunnel, "br-phy");
    ASSERT_EQ(p.error, nullptr);
    ASSERT_EQ(p.t.n_hits, 1u);
    EXPECT_STREQ(p.t.hits[0].actions.names[0], "NORMAL");
}

TEST(TraceParse, HitsBeforeAnyFlowLine)
{
    // Not what ovs-vswitchd prints, but what a reply may say: a hit with no
    // "Flow:" before it still has a pass, with an empty packet.
    Parsed p("bridge(\"br-vnet\")\n 0. priority 0\n    output:1\n"
             "Flow: in_port=1\n");
    ASSERT_EQ(p.error, nullptr);
    ASSERT_EQ(p.t.n_outputs, 1u);
    EXPECT_STREQ(trace_output_flow(&p.t, &p.t.outputs[0]), "");
}

TEST(TraceParse, NotATable)
{
    // A number that is no OpenFlow table is not a hit.
    Parsed p("Flow: in_port=1\nbridge(\"br-vnet\")\n"
             "4294967295. priority 0\n    drop\n300. priority 0\n");
    ASSERT_EQ(p.error, nullptr);
    EXPECT_EQ(p.t.n_hits, 0u);
    EXPECT_FALSE(p.t.dropped);
}

TEST(TraceParse, NotATrace)
{
    trace_text t;
    char *error = trace_text_parse("Bad openflow flow syntax: x\n", "br-vnet",
                                   &t);
    ASSERT_NE(error, nullptr);
    free(error);
}

}  // namespace
