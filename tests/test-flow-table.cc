// Unit tests: comparing a flow's actions as parsed here with the same
// actions decoded from a switch (flows/flow-table.h).
#include <gtest/gtest.h>

#include <cstring>
#include <string>

#include "flows/flow-table.h"
#include "openvswitch/meta-flow.h"
#include "openvswitch/ofp-actions.h"
#include "openvswitch/ofpbuf.h"
#include "tests/flow-round-trip.h"

namespace {

// The flow of 't' (its only one).
const vnet_flow *
only(const flow_table *t)
{
    const vnet_flow *f;
    FLOW_TABLE_FOR_EACH (f, t) {
        return f;
    }
    return nullptr;
}

class FlowTableActions : public ::testing::Test {
protected:
    void SetUp() override
    {
        flow_table_init(&a_);
        flow_table_init(&b_);
    }
    void TearDown() override
    {
        flow_table_destroy(&a_);
        flow_table_destroy(&b_);
    }
    // Parses one flow into 'a_' and one into 'b_'.
    void parse(const std::string &a, const std::string &b)
    {
        char *e = flow_table_add(&a_, 0x7601000000000001, "%s", a.c_str());
        ASSERT_EQ(e, nullptr) << e;
        e = flow_table_add(&b_, 0x7601000000000001, "%s", b.c_str());
        ASSERT_EQ(e, nullptr) << e;
    }
    bool equal_but_raw()
    {
        const vnet_flow *a = only(&a_), *b = only(&b_);
        return ofpacts_equal_but_raw(a->ofpacts, a->ofpacts_len, b->ofpacts,
                                     b->ofpacts_len);
    }
    flow_table a_, b_;
};

TEST_F(FlowTableActions, DecodedFromTheSwitchEqualsTheParsedByteForByte)
{
    for (const char *flow : {
             "table=0,priority=100,in_port=9,dl_vlan=7,ip,actions=pop_vlan,"
             "set_field:02:76:6e:00:00:01->eth_src,load:0x5->NXM_NX_REG5[],"
             "move:NXM_OF_ETH_SRC[]->NXM_OF_ETH_DST[],"
             "clone(set_field:0x1->reg6,resubmit(,30)),"
             "ct(commit,zone=5,exec(set_field:0x1->ct_mark)),output:3",
             "table=45,priority=100,arp,actions=learn(table=44,"
             "idle_timeout=300,priority=100,OXM_OF_METADATA[],eth_type=0x800,"
             "NXM_OF_IP_DST[]=NXM_OF_ARP_SPA[],"
             "load:NXM_NX_ARP_SHA[]->NXM_OF_ETH_DST[],"
             "output:NXM_OF_IN_PORT[]),set_field:2->arp_op,IN_PORT"}) {
        TearDown(), SetUp();
        char *e = flow_table_add(&a_, 0x7601000000000001, "%s", flow);
        ASSERT_EQ(e, nullptr) << e;
        const vnet_flow *sent = only(&a_);
        flow_through_wire(sent, &b_);
        const vnet_flow *back = flow_table_find(&b_, sent);
        ASSERT_NE(back, nullptr);

        // The decoder notes which wire action each came from; the parser
        // not.
        EXPECT_FALSE(ofpacts_equal(sent->ofpacts, sent->ofpacts_len,
                                   back->ofpacts, back->ofpacts_len))
            << flow;
        EXPECT_TRUE(ofpacts_equal_but_raw(sent->ofpacts, sent->ofpacts_len,
                                          back->ofpacts, back->ofpacts_len))
            << flow;
        EXPECT_TRUE(vnet_flow_same_result(sent, back)) << flow;
    }
}

TEST_F(FlowTableActions, TheSameActionsSpeltOtherwiseAreTheSame)
{
    // A whole field's load comes back from the switch as a set_field: the
    // same bytes but for the wire action noted, and another text.
    char *e = flow_table_add(&a_, 0x7601000000000001,
                             "priority=1,actions=load:0x5->NXM_NX_REG5[]");
    ASSERT_EQ(e, nullptr) << e;
    flow_through_wire(only(&a_), &b_);
    EXPECT_STRNE(vnet_flow_actions(only(&a_)), vnet_flow_actions(only(&b_)));
    EXPECT_TRUE(equal_but_raw());
    EXPECT_TRUE(vnet_flow_same_result(only(&a_), only(&b_)));
}

TEST_F(FlowTableActions, AnyOtherDifferenceIsOne)
{
    parse("priority=1,actions=output:3", "priority=1,actions=output:4");
    EXPECT_FALSE(equal_but_raw());
    TearDown(), SetUp();
    parse("priority=1,actions=set_field:1->reg6",
          "priority=1,actions=set_field:2->reg6");
    EXPECT_FALSE(equal_but_raw());
    TearDown(), SetUp();
    parse("priority=1,actions=clone(resubmit(,30))",
          "priority=1,actions=clone(resubmit(,31))");
    EXPECT_FALSE(equal_but_raw());
    TearDown(), SetUp();
    parse("priority=1,actions=clone(resubmit(,30)),output:1",
          "priority=1,actions=clone(resubmit(,30),output:1)");
    EXPECT_FALSE(equal_but_raw());
    TearDown(), SetUp();
    parse("priority=1,actions=output:3", "priority=1,actions=output:3,3");
    EXPECT_FALSE(equal_but_raw());
    TearDown(), SetUp();
    parse("priority=1,actions=pop_vlan", "priority=1,actions=strip_vlan");
    EXPECT_TRUE(equal_but_raw());       // (Two names of one action.)
    EXPECT_TRUE(vnet_flow_same_result(only(&a_), only(&b_)));
}

TEST_F(FlowTableActions, ADecodedFlowIsCheckedAgainstItsMatchOnlyIfNeeded)
{
    // A set_field after a push_vlan: the check the parser runs notes in it
    // that the packet has a tag there; a dump's decoder does not run it.
    const char *vlan = "table=30,priority=100,ip,actions=push_vlan:0x8100,"
                       "set_field:4196->vlan_vid,output:3";
    char *e = flow_table_add(&a_, 0x7601000000000001, "%s", vlan);
    ASSERT_EQ(e, nullptr) << e;
    const vnet_flow *sent = only(&a_);
    EXPECT_FALSE(sent->unchecked);
    flow_through_wire(sent, &b_);
    const vnet_flow *back = only(&b_);
    ASSERT_TRUE(back->unchecked);
    EXPECT_FALSE(ofpacts_equal_but_raw(sent->ofpacts, sent->ofpacts_len,
                                       back->ofpacts, back->ofpacts_len));
    EXPECT_TRUE(vnet_flow_actions_equal(sent, back));
    EXPECT_FALSE(back->unchecked);      // (Checked once, kept.)
    EXPECT_TRUE(ofpacts_equal_but_raw(sent->ofpacts, sent->ofpacts_len,
                                      back->ofpacts, back->ofpacts_len));

    // Equal bytes need no check: a flow without a tag stays unchecked.
    TearDown(), SetUp();
    e = flow_table_add(&a_, 0x7601000000000001,
                       "table=30,priority=100,ip,actions=set_field:1->reg6,"
                       "output:3");
    ASSERT_EQ(e, nullptr) << e;
    flow_through_wire(only(&a_), &b_);
    EXPECT_TRUE(vnet_flow_actions_equal(only(&a_), only(&b_)));
    EXPECT_TRUE(only(&b_)->unchecked);

    // The check makes no other difference the same: a decoded flow that
    // differs stays different, and its text is the one of its actions.
    TearDown(), SetUp();
    e = flow_table_add(&a_, 0x7601000000000001, "%s", vlan);
    ASSERT_EQ(e, nullptr) << e;
    e = flow_table_add(&b_, 0x7601000000000001,
                       "table=30,priority=100,ip,actions=push_vlan:0x8100,"
                       "set_field:4197->vlan_vid,output:3");
    ASSERT_EQ(e, nullptr) << e;
    flow_table back_table;
    flow_table_init(&back_table);
    flow_through_wire(only(&b_), &back_table);
    const vnet_flow *other = only(&back_table);
    EXPECT_STREQ(vnet_flow_actions(other), vnet_flow_actions(only(&b_)));
    EXPECT_FALSE(vnet_flow_actions_equal(only(&a_), other));
    EXPECT_FALSE(other->unchecked);
    EXPECT_FALSE(vnet_flow_same_result(only(&a_), other));
    EXPECT_STREQ(vnet_flow_actions(other), vnet_flow_actions(only(&b_)));
    EXPECT_TRUE(vnet_flow_actions_equal(only(&b_), other));
    flow_table_destroy(&back_table);
}

const eth_addr kMac = {{{0x02, 0x76, 0x6e, 0x00, 0x00, 0x01}}};

// A set_field's value and mask, each rounded up to 8 bytes, put by Open
// vSwitch into a buffer holding 'fill' before.
ofpbuf *
put_eth_src(uint8_t fill)
{
    static uint64_t stubs[2][64];
    uint64_t *stub = stubs[fill & 1];
    memset(stub, fill, sizeof stubs[0]);
    ofpbuf *b = new ofpbuf;
    ofpbuf_use_stub(b, stub, sizeof stubs[0]);
    const eth_addr mac = kMac;
    ofpact_put_set_field(b, mf_from_id(MFF_ETH_SRC), &mac, nullptr);
    return b;
}

TEST(FlowTablePadding, SetFieldRoundingIsZeroed)
{
    ofpbuf *a = put_eth_src(0xa4), *b = put_eth_src(0x5b);
    ASSERT_EQ(a->size, b->size);
    EXPECT_FALSE(ofpacts_equal(static_cast<const ofpact *>(a->data), a->size,
                               static_cast<const ofpact *>(b->data), b->size))
        << "the rounding holds what the buffer held";
    ofpacts_zero_padding(static_cast<ofpact *>(a->data), a->size);
    ofpacts_zero_padding(static_cast<ofpact *>(b->data), b->size);
    EXPECT_TRUE(ofpacts_equal(static_cast<const ofpact *>(a->data), a->size,
                              static_cast<const ofpact *>(b->data), b->size));
    const ofpact_set_field *sf
        = ofpact_get_SET_FIELD(static_cast<const ofpact *>(a->data));
    EXPECT_EQ(memcmp(sf->value, &kMac, sizeof kMac), 0) << "the value kept";
    const uint8_t ones[6] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff};
    EXPECT_EQ(memcmp(ofpact_set_field_mask(sf), ones, sizeof ones), 0)
        << "the mask kept";
    ofpbuf_uninit(a);
    ofpbuf_uninit(b);
    delete a;
    delete b;
}

}  // namespace
