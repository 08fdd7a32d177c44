// Unit tests: the endpoints' "up" as the switch's flows come in
// (binding_report() and binding_refresh_up(), controller/binding.h).
#include <gtest/gtest.h>

#include <cstdint>
#include <string>

#include "controller/binding.h"
#include "openvswitch/shash.h"
#include "sset.h"

namespace {

// The switch as binding sees it: holds a generation if connected and it was
// installed.
struct Switch {
    uint64_t installed = 0;
    bool connected = true;
};

bool
holds(uint64_t gen, const void *aux)
{
    const Switch *sw = static_cast<const Switch *>(aux);
    return sw->connected && sw->installed >= gen;
}

class BindingUpTest : public ::testing::Test {
protected:
    void SetUp() override { binding_endpoints_init(&eps_); }
    void TearDown() override { binding_endpoints_destroy(&eps_); }

    // A full run that binds each of 'names' (its port numbered from 1, in
    // order) and reports with the desired flows of generation 'gen'.
    void
    run(std::initializer_list<const char *> names, uint64_t gen)
    {
        binding_endpoints_begin(&eps_);
        int64_t ofport = 1;
        for (const char *name : names) {
            binding_endpoint(&eps_, name)->status.ofport = ofport++;
        }
        struct binding_wants none{};
        struct binding_report report;
        binding_report(&eps_, &none, gen, holds, &sw_, true, &report);
    }

    bool refresh() { return binding_refresh_up(&eps_, holds, &sw_); }

    // The endpoints up, by name, in order.
    std::string
    up()
    {
        std::string s;
        const struct shash_node **nodes = shash_sort(&eps_.map);
        for (size_t i = 0; i < shash_count(&eps_.map); i++) {
            const auto *be
                = static_cast<const struct binding_endpoint *>(nodes[i]->data);
            if (be->status.up) {
                s += std::string(s.empty() ? "" : " ") + nodes[i]->name;
            }
        }
        free(nodes);
        return s;
    }

    // The endpoints whose marks are due since the last call, in order, and
    // "*" first if all are.
    std::string
    marks()
    {
        std::string s = eps_.marks_all ? "*" : "";
        const char **names = sset_sort(&eps_.marks_changed);
        for (size_t i = 0; i < sset_count(&eps_.marks_changed); i++) {
            s += std::string(s.empty() ? "" : " ") + names[i];
        }
        free(names);
        binding_endpoints_take_marks(&eps_);
        return s;
    }

    // The endpoints noted as changed since the last call, in order.
    std::string
    changed()
    {
        std::string s;
        const char **names = sset_sort(&eps_.changed);
        for (size_t i = 0; i < sset_count(&eps_.changed); i++) {
            s += std::string(s.empty() ? "" : " ") + names[i];
        }
        free(names);
        sset_clear(&eps_.changed);
        return s;
    }

    struct binding_endpoints eps_;
    Switch sw_;
};

TEST_F(BindingUpTest, UpOnceTheirFlowsAreIn)
{
    run({"a", "b"}, 1);
    EXPECT_EQ("", up());
    EXPECT_EQ(2u, hmap_count(&eps_.not_up.map));
    changed();

    EXPECT_FALSE(refresh());    // Not installed yet.
    EXPECT_EQ("", changed());
    sw_.installed = 1;
    EXPECT_TRUE(refresh());
    EXPECT_EQ("a b", up());
    EXPECT_EQ("a b", changed());
    EXPECT_EQ(0u, hmap_count(&eps_.not_up.map));
    EXPECT_EQ(2u, eps_.n_up);
}

TEST_F(BindingUpTest, NewEndpointWaitsForItsOwnGeneration)
{
    run({"a", "b"}, 1);
    sw_.installed = 1;
    refresh();
    changed();

    // A run that adds c: a and b keep their ports and stay up.
    run({"a", "b", "c"}, 2);
    EXPECT_EQ("a b", up());
    EXPECT_EQ("c", changed());
    EXPECT_FALSE(refresh());
    sw_.installed = 2;
    EXPECT_TRUE(refresh());
    EXPECT_EQ("a b c", up());
    EXPECT_EQ("c", changed());
    EXPECT_EQ(2u, eps_.up_gen);
}

TEST_F(BindingUpTest, AllGoDownWhenTheSwitchMayHaveLostThem)
{
    run({"a", "b"}, 1);
    sw_.installed = 1;
    refresh();
    run({"a", "b", "c"}, 2);
    changed();

    // Those up are looked at again once what they need is not held.
    sw_.connected = false;
    EXPECT_TRUE(refresh());
    EXPECT_EQ("", up());
    EXPECT_EQ("a b", changed());
    EXPECT_EQ(3u, hmap_count(&eps_.not_up.map));

    sw_.connected = true;
    sw_.installed = 2;
    EXPECT_TRUE(refresh());
    EXPECT_EQ("a b c", up());
    EXPECT_EQ("a b c", changed());
}

TEST_F(BindingUpTest, RebindingStartsOverAndForgottenLeaveTheList)
{
    run({"a", "b"}, 1);
    sw_.installed = 1;
    refresh();
    changed();

    // b is bound to another port (run() numbers them in order), a goes.
    run({"b"}, 2);
    EXPECT_EQ("", up());
    EXPECT_EQ("a b", changed());
    EXPECT_EQ(1u, shash_count(&eps_.map));
    EXPECT_EQ(1u, hmap_count(&eps_.not_up.map));
    EXPECT_EQ(0u, eps_.n_up);
    sw_.installed = 2;
    EXPECT_TRUE(refresh());
    EXPECT_EQ("b", up());
}

TEST_F(BindingUpTest, WaitingOrFailingEndpointsStayDown)
{
    binding_endpoints_begin(&eps_);
    struct binding_endpoint *a = binding_endpoint(&eps_, "a");
    a->status.ofport = 1;
    a->waiting = true;
    struct binding_endpoint *b = binding_endpoint(&eps_, "b");
    b->status.ofport = 2;
    binding_endpoint_set_error(b, "wrong");
    binding_endpoint(&eps_, "c")->status.ofport = 3;
    struct binding_wants none{};
    struct binding_report report;
    binding_report(&eps_, &none, 1, holds, &sw_, true, &report);

    sw_.installed = 5;
    EXPECT_TRUE(refresh());
    EXPECT_EQ("c", up());
    EXPECT_EQ(2u, hmap_count(&eps_.not_up.map));
}


TEST_F(BindingUpTest, PatchedEndpointsKeepTheListsAsARunWould)
{
    // Behind a trunk (port 9), c comes and a goes without a run: the lists
    // of those up and not up, and the changes, are what a run would leave.
    run({"a", "b"}, 1);
    sw_.installed = 1;
    refresh();
    changed();

    binding_endpoint_patch_bound(&eps_, "c", nullptr, 9, true, 2);
    binding_endpoint_patch_forget(&eps_, "a");
    EXPECT_EQ("a c", changed());
    EXPECT_EQ("b", up());
    EXPECT_EQ(1u, hmap_count(&eps_.not_up.map));
    EXPECT_EQ(1u, eps_.n_up);
    EXPECT_FALSE(refresh());    // Its flows are not in yet.
    sw_.installed = 2;
    EXPECT_TRUE(refresh());
    EXPECT_EQ("b c", up());
    EXPECT_EQ("c", changed());
    EXPECT_EQ(0u, hmap_count(&eps_.not_up.map));
    EXPECT_EQ(2u, eps_.n_up);
    EXPECT_EQ(2u, eps_.up_gen);

    // One not up yet goes: it leaves the list of those not up.
    binding_endpoint_patch_bound(&eps_, "d", nullptr, 9, true, 3);
    binding_endpoint_patch_forget(&eps_, "d");
    EXPECT_EQ(0u, hmap_count(&eps_.not_up.map));
    EXPECT_EQ(2u, eps_.n_up);
    EXPECT_EQ(2u, shash_count(&eps_.map));

    // The next run finds c bound as the patch left it: no change, up.
    binding_endpoints_begin(&eps_);
    binding_endpoint(&eps_, "b")->status.ofport = 2;
    struct binding_endpoint *c = binding_endpoint(&eps_, "c");
    c->status.ofport = 9;
    c->trunk = true;
    struct binding_wants none{};
    struct binding_report report;
    changed();
    binding_report(&eps_, &none, 4, holds, &sw_, true, &report);
    EXPECT_EQ("", changed());
    EXPECT_EQ("b c", up());
}

TEST_F(BindingUpTest, PortsUpFoundByTheirOpenFlowPort)
{
    // What the held packets ask: is the endpoint bound to a port up?
    run({"a", "b"}, 1);
    EXPECT_FALSE(binding_endpoints_port_up(&eps_, 1));
    sw_.installed = 1;
    refresh();
    EXPECT_TRUE(binding_endpoints_port_up(&eps_, 1));
    EXPECT_TRUE(binding_endpoints_port_up(&eps_, 2));
    EXPECT_FALSE(binding_endpoints_port_up(&eps_, 3));

    // b bound to port 1 by the next run, a gone: port 2 is no one's, and
    // port 1's endpoint waits for its new flows.
    run({"b"}, 2);
    EXPECT_FALSE(binding_endpoints_port_up(&eps_, 2));
    EXPECT_FALSE(binding_endpoints_port_up(&eps_, 1));
    sw_.installed = 2;
    refresh();
    EXPECT_TRUE(binding_endpoints_port_up(&eps_, 1));

    // Bound without a run, then forgotten.
    binding_endpoint_patch_bound(&eps_, "c", "vc", 7, false, 3);
    EXPECT_FALSE(binding_endpoints_port_up(&eps_, 7));
    sw_.installed = 3;
    refresh();
    EXPECT_TRUE(binding_endpoints_port_up(&eps_, 7));
    binding_endpoint_patch_forget(&eps_, "c");
    EXPECT_FALSE(binding_endpoints_port_up(&eps_, 7));
    EXPECT_EQ(1u, hmap_count(&eps_.by_ofport));
}

TEST_F(BindingUpTest, EndpointsBehindOnePortFoundByIt)
{
    // Endpoints behind a trunk share its OpenFlow port: the port is up
    // while one of them is, and each one goes alone.
    for (int i = 0; i < 100; i++) {
        std::string name = "t" + std::to_string(i);
        binding_endpoint_patch_bound(&eps_, name.c_str(), nullptr, 5, true,
                                     1);
    }
    EXPECT_EQ(1u, hmap_count(&eps_.by_ofport));
    EXPECT_FALSE(binding_endpoints_port_up(&eps_, 5));
    sw_.installed = 1;
    refresh();
    EXPECT_TRUE(binding_endpoints_port_up(&eps_, 5));
    for (int i = 0; i < 99; i++) {
        binding_endpoint_patch_forget(&eps_,
                                      ("t" + std::to_string(i)).c_str());
    }
    EXPECT_TRUE(binding_endpoints_port_up(&eps_, 5));
    EXPECT_EQ(1u, hmap_count(&eps_.by_ofport));
    binding_endpoint_patch_forget(&eps_, "t99");
    EXPECT_FALSE(binding_endpoints_port_up(&eps_, 5));
    EXPECT_EQ(0u, hmap_count(&eps_.by_ofport));
}

TEST_F(BindingUpTest, MarksAreDueForEveryEndpointAfterARunElseForThoseChanged)
{
    EXPECT_EQ("*", marks());    // (Before the first run: not known.)
    run({"a", "b"}, 1);
    EXPECT_EQ("*", marks());
    EXPECT_EQ("", marks());
    sw_.installed = 1;
    EXPECT_TRUE(refresh());
    EXPECT_EQ("a b", marks());
    EXPECT_FALSE(refresh());
    EXPECT_EQ("", marks());

    // Bound alone, then up: due twice (its mark cleared, then set).
    binding_endpoint_patch_bound(&eps_, "c", "vnetc", 3, false, 2);
    EXPECT_EQ("c", marks());
    sw_.installed = 2;
    EXPECT_TRUE(refresh());
    EXPECT_EQ("c", marks());

    // The switch loses its flows: those that go down are due.
    sw_.connected = false;
    EXPECT_TRUE(refresh());
    EXPECT_EQ("a b c", marks());
    EXPECT_STREQ("vnetc", shash_find_data(&eps_.map, "c")
                          ? static_cast<const struct binding_endpoint *>(
                              shash_find_data(&eps_.map, "c"))->ifname
                          : "");
}

}  // namespace
