// Unit tests: desired flows in units (flows/flow-units.h).
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <string>
#include <vector>

#include "flows/flow-table.h"
#include "flows/flow-units.h"
#include "tests/flow-lines.h"

namespace {

flow_unit_key
key(uint32_t kind, uint32_t a = 0)
{
    flow_unit_key k{};
    k.kind = kind;
    k.a = a;
    return k;
}

// Fills unit 'k' with one flow per entry of 'flows' ("table=..,actions=.."),
// unless it is unchanged; returns whether it was filled.
bool
fill(flow_units *u, flow_unit_key k, const std::string &fp,
     const std::vector<std::string> &flows, uint64_t cookie = 0x7601000000000000)
{
    flow_table *t = flow_units_open(u, &k, fp.data(), fp.size());
    if (!t) {
        return false;
    }
    for (const auto &f : flows) {
        char *error = flow_table_add(t, cookie, "%s", f.c_str());
        EXPECT_EQ(error, nullptr) << error;
        free(error);
    }
    return true;
}

std::vector<std::string>
union_lines(const flow_units *u)
{
    flow_table t;
    flow_table_init(&t);
    flow_units_to_table(u, &t);
    char *text = flow_table_format(&t);
    std::vector<std::string> lines = lines_of(text);
    free(text);
    flow_table_destroy(&t);
    return lines;
}

void
collect(const vnet_flow *f, void *out)
{
    static_cast<std::vector<int> *>(out)->push_back(f->priority);
}

std::vector<int>
dirty_priorities(flow_units *u)
{
    std::vector<int> p;
    flow_units_take_dirty(u, collect, &p);
    std::sort(p.begin(), p.end());
    return p;
}

void
drop(flow_units *u, flow_unit_key k)
{
    flow_units_drop(u, &k);
}

const std::string kA = "table=0,priority=10,in_port=1,actions=drop";
const std::string kB = "table=0,priority=20,in_port=2,actions=drop";
const std::string kC = "table=0,priority=30,in_port=3,actions=drop";

TEST(FlowUnits, UnchangedUnitsAreNotFilledAgain)
{
    flow_units *u = flow_units_create();
    flow_units_begin(u);
    EXPECT_TRUE(fill(u, key(1), "fp1", {kA}));
    EXPECT_TRUE(fill(u, key(2), "fp2", {kB}));
    EXPECT_TRUE(flow_units_end(u));
    EXPECT_EQ(flow_units_count(u), 2u);
    EXPECT_EQ(dirty_priorities(u), (std::vector<int>{10, 20}));

    // Same fingerprints: nothing to fill, nothing dirty.
    flow_units_begin(u);
    EXPECT_FALSE(fill(u, key(1), "fp1", {kA}));
    EXPECT_FALSE(fill(u, key(2), "fp2", {kB}));
    EXPECT_FALSE(flow_units_end(u));
    EXPECT_EQ(flow_units_count(u), 2u);
    EXPECT_EQ(flow_units_n_dirty(u), 0u);
    flow_units_stats st;
    flow_units_get_stats(u, &st);
    EXPECT_EQ(st.n_generated, 0u);
    EXPECT_EQ(st.n_units, 2u);
    flow_units_destroy(u);
}

// The installer looks the union's flows up in its other tables by the hash
// their own table keeps.
TEST(FlowUnits, EveryFlowOfTheUnionHasItsHashAtHand)
{
    flow_units *u = flow_units_create();
    flow_units_begin(u);
    EXPECT_TRUE(fill(u, key(1), "fp1", {kA, kB}));
    EXPECT_TRUE(fill(u, key(2), "fp2", {kB, kC}));
    EXPECT_TRUE(flow_units_end(u));
    struct seen {
        const flow_units *u;
        size_t n;
    } seen{u, 0};
    flow_units_for_each(
        u,
        [](const vnet_flow *f, void *seen_) {
            auto *s = static_cast<struct seen *>(seen_);
            EXPECT_EQ(vnet_flow_table_hash(f), vnet_flow_hash(f))
                << "priority " << f->priority;
            EXPECT_EQ(flow_units_find_hashed(s->u, f, vnet_flow_table_hash(f)),
                      f);
            s->n++;
        },
        &seen);
    EXPECT_EQ(seen.n, 3u);
    flow_units_destroy(u);
}

TEST(FlowUnits, KeyOpenedTwiceInAPassKeepsTheFirst)
{
    // Two objects with one key (which the checks upstream must prevent) do
    // not stop the controller: the second is left out.
    flow_units *u = flow_units_create();
    flow_units_begin(u);
    EXPECT_TRUE(fill(u, key(1, 7), "first", {kA}));
    EXPECT_FALSE(fill(u, key(1, 7), "second", {kB}));
    flow_units_end(u);
    EXPECT_EQ(flow_units_count(u), 1u);
    EXPECT_EQ(dirty_priorities(u), (std::vector<int>{10}));
    flow_units_destroy(u);
}

TEST(FlowUnits, ChangedAndGoneUnitsAreDirty)
{
    flow_units *u = flow_units_create();
    flow_units_begin(u);
    fill(u, key(1), "fp1", {kA});
    fill(u, key(2), "fp2", {kB});
    flow_units_end(u);
    dirty_priorities(u);

    // Unit 1 now makes C instead of A; unit 2 is gone.
    flow_units_begin(u);
    EXPECT_TRUE(fill(u, key(1), "fp1-changed", {kC}));
    EXPECT_TRUE(flow_units_end(u));
    EXPECT_EQ(dirty_priorities(u), (std::vector<int>{10, 20, 30}));
    std::vector<std::string> lines = union_lines(u);
    ASSERT_EQ(lines.size(), 1u);
    EXPECT_NE(lines[0].find("priority=30"), std::string::npos);

    // A unit filled again the same way changes nothing.
    flow_units_begin(u);
    EXPECT_TRUE(fill(u, key(1), "fp1-again", {kC}));
    flow_units_end(u);
    EXPECT_EQ(union_lines(u), lines);
    flow_units_destroy(u);
}

TEST(FlowUnits, GreaterKeyWinsWhateverTheOrder)
{
    const std::string a1 = "table=0,priority=10,in_port=1,actions=output:1";
    const std::string a2 = "table=0,priority=10,in_port=1,actions=output:2";
    for (int order = 0; order < 2; order++) {
        flow_units *u = flow_units_create();
        flow_units_begin(u);
        if (order) {
            fill(u, key(1, 5), "x", {a1});
            fill(u, key(1, 9), "y", {a2});
        } else {
            fill(u, key(1, 9), "y", {a2});
            fill(u, key(1, 5), "x", {a1});
        }
        flow_units_end(u);
        std::vector<std::string> lines = union_lines(u);
        ASSERT_EQ(lines.size(), 1u);
        EXPECT_NE(lines[0].find("actions=output:2"), std::string::npos);

        // The winner goes: the other one's flow takes its place.
        flow_units_begin(u);
        fill(u, key(1, 5), "x", {a1});
        flow_units_end(u);
        EXPECT_EQ(dirty_priorities(u), (std::vector<int>{10}));
        lines = union_lines(u);
        ASSERT_EQ(lines.size(), 1u);
        EXPECT_NE(lines[0].find("actions=output:1"), std::string::npos);
        flow_units_destroy(u);
    }
}

TEST(FlowUnits, ForgetFillsEverythingAgain)
{
    flow_units *u = flow_units_create();
    flow_units_begin(u);
    fill(u, key(1), "fp1", {kA});
    flow_units_end(u);
    dirty_priorities(u);
    flow_units_forget(u);
    flow_units_begin(u);
    EXPECT_TRUE(fill(u, key(1), "fp1", {kA}));
    flow_units_end(u);
    EXPECT_EQ(flow_units_count(u), 1u);
    flow_units_destroy(u);
}

TEST(FlowUnits, FingerprintsShortAndLongCompareByTheirBytes)
{
    // Short fingerprints are kept in the unit, long ones apart: a change
    // from one to the other, or within either, fills the unit again.
    const std::string shorter(40, 'a'), longer(41, 'a');
    std::string longer2 = longer;
    longer2.back() = 'b';
    std::string shorter2 = shorter;
    shorter2.back() = 'b';
    flow_units *u = flow_units_create();
    const std::vector<std::pair<std::string, bool>> passes = {
        {shorter, true}, {shorter, false}, {longer, true}, {longer, false},
        {longer2, true}, {shorter2, true}, {shorter2, false}, {"", true},
        {"", false}, {longer, true},
    };
    for (const auto &p : passes) {
        flow_units_begin(u);
        EXPECT_EQ(fill(u, key(1), p.first, {kA}), p.second)
            << p.first.size() << " bytes";
        flow_units_end(u);
        EXPECT_EQ(flow_units_count(u), 1u);
    }
    flow_units_destroy(u);
}

TEST(FlowUnits, UnitGoneWhileAnotherIsFilled)
{
    // One pass that both fills a unit and leaves another out: the one left
    // out goes, the filled one's flows are in, the unchanged one stays.
    flow_units *u = flow_units_create();
    flow_units_begin(u);
    fill(u, key(1), "fp1", {kA});
    fill(u, key(2), "fp2", {kB});
    fill(u, key(3), "fp3", {kC});
    flow_units_end(u);
    dirty_priorities(u);

    flow_units_begin(u);
    EXPECT_FALSE(fill(u, key(1), "fp1", {kA}));
    EXPECT_TRUE(fill(u, key(3), "fp3-changed",
                     {"table=0,priority=40,in_port=4,actions=drop"}));
    EXPECT_TRUE(flow_units_end(u));
    EXPECT_EQ(dirty_priorities(u), (std::vector<int>{20, 30, 40}));
    std::vector<std::string> lines = union_lines(u);
    ASSERT_EQ(lines.size(), 2u);
    flow_units_stats st;
    flow_units_get_stats(u, &st);
    EXPECT_EQ(st.n_units, 2u);
    EXPECT_EQ(st.n_removed, 1u);
    flow_units_destroy(u);
}

TEST(FlowUnits, PassesInAnotherOrderFindTheirUnits)
{
    // A pass tries the units in the last pass's order before looking them
    // up: one more, one left out, and an order turned around must still find
    // each unit (none filled again, none made twice).
    flow_units *u = flow_units_create();
    flow_units_begin(u);
    for (uint32_t i = 0; i < 6; i++) {
        fill(u, key(1, i), "fp" + std::to_string(i), {kA});
    }
    flow_units_end(u);
    dirty_priorities(u);

    const std::vector<std::vector<uint32_t>> passes = {
        {0, 1, 2, 3, 4, 5},
        {0, 1, 2, 3, 4, 5, 6},          // 6 is new
        {0, 1, 6, 2, 3, 4, 5},          // 6 moved up
        {0, 1, 2, 4, 5, 6},             // 3 left out
        {6, 5, 4, 3, 2, 1, 0},          // 3 back, all turned around
        {6, 5, 4, 3, 2, 1, 0},
    };
    for (size_t p = 0; p < passes.size(); p++) {
        flow_units_begin(u);
        for (uint32_t i : passes[p]) {
            bool fresh = (p == 1 && i == 6) || (p == 4 && i == 3);
            EXPECT_EQ(fill(u, key(1, i), "fp" + std::to_string(i), {kA}),
                      fresh) << "pass " << p << ", unit " << i;
        }
        flow_units_end(u);
        flow_units_stats st;
        flow_units_get_stats(u, &st);
        EXPECT_EQ(st.n_units, passes[p].size()) << "pass " << p;
        EXPECT_EQ(st.n_removed, p == 3 ? 1u : 0u) << "pass " << p;
    }
    flow_units_destroy(u);
}

TEST(FlowUnits, PatchKeepsWhatItDoesNotOpen)
{
    flow_units *u = flow_units_create();
    flow_units_begin(u);
    fill(u, key(1), "fp1", {kA});
    fill(u, key(2), "fp2", {kB});
    flow_units_end(u);
    dirty_priorities(u);

    // A patch: unit 3 new, unit 2 dropped, unit 1 not opened (stays).
    flow_units_begin_patch(u);
    EXPECT_TRUE(fill(u, key(3), "fp3", {kC}));
    drop(u, key(2));
    EXPECT_TRUE(flow_units_end(u));
    EXPECT_EQ(union_lines(u), (std::vector<std::string>{
        "table=0 priority=10 in_port=1 actions=drop "
        "cookie=0x7601000000000000",
        "table=0 priority=30 in_port=3 actions=drop "
        "cookie=0x7601000000000000"}));
    EXPECT_EQ(dirty_priorities(u), (std::vector<int>{20, 30}));

    // A unit opened in a patch with its fingerprint is not filled again;
    // a patch that changes nothing is no change.
    flow_units_begin_patch(u);
    EXPECT_FALSE(fill(u, key(3), "fp3", {kC}));
    drop(u, key(9));
    EXPECT_FALSE(flow_units_end(u));

    // The next full pass makes what the patches made: the dropped unit is
    // filled again if it is opened, and gone if not.
    flow_units_begin(u);
    EXPECT_FALSE(fill(u, key(1), "fp1", {kA}));
    EXPECT_FALSE(fill(u, key(3), "fp3", {kC}));
    EXPECT_FALSE(flow_units_end(u));
    flow_units_stats st;
    flow_units_get_stats(u, &st);
    EXPECT_EQ(st.n_units, 2u);
    EXPECT_EQ(st.n_removed, 1u);
    // A patch that only drops a unit is a change, its flows dirty or not.
    flow_units_begin_patch(u);
    drop(u, key(1));
    EXPECT_TRUE(flow_units_end(u));
    flow_units_begin(u);
    EXPECT_TRUE(fill(u, key(1), "fp1", {kA}));
    EXPECT_FALSE(fill(u, key(3), "fp3", {kC}));
    flow_units_end(u);
    EXPECT_EQ(union_lines(u).size(), 2u);
    EXPECT_EQ(dirty_priorities(u), (std::vector<int>{10}));
    flow_units_destroy(u);
}

TEST(FlowUnits, DropOfAUnitFilledInThePatch)
{
    flow_units *u = flow_units_create();
    flow_units_begin_patch(u);
    EXPECT_TRUE(fill(u, key(1), "fp1", {kA}));
    drop(u, key(1));
    EXPECT_FALSE(flow_units_end(u));
    EXPECT_EQ(flow_units_count(u), 0u);
    flow_units_destroy(u);
}


// The union's size is kept as winners come and go (the installer's audit
// compares it with the flows it found): it is what a walk counts.
size_t
walk_count(const flow_units *u)
{
    size_t n = 0;
    flow_units_for_each(
        u, [](const vnet_flow *, void *n_) { ++*static_cast<size_t *>(n_); },
        &n);
    return n;
}

TEST(FlowUnits, CountFollowsTheWinners)
{
    flow_units *u = flow_units_create();
    EXPECT_EQ(flow_units_count(u), 0u);
    flow_units_begin(u);
    fill(u, key(1), "fp1", {kA, kB});
    fill(u, key(2), "fp2", {kB, kC});          // (kB wanted twice.)
    flow_units_end(u);
    EXPECT_EQ(flow_units_count(u), 3u);
    EXPECT_EQ(walk_count(u), 3u);

    // Unit 2 gone: kB stays (unit 1's), kC goes, before and after its
    // removal is taken.
    flow_units_begin(u);
    EXPECT_FALSE(fill(u, key(1), "fp1", {kA, kB}));
    flow_units_end(u);
    EXPECT_EQ(flow_units_count(u), 2u);
    EXPECT_EQ(walk_count(u), 2u);
    dirty_priorities(u);
    EXPECT_EQ(flow_units_count(u), 2u);

    // A patch drops unit 1 and brings kC back in unit 3.
    flow_units_begin_patch(u);
    drop(u, key(1));
    fill(u, key(3), "fp3", {kC});
    flow_units_end(u);
    EXPECT_EQ(flow_units_count(u), 1u);
    EXPECT_EQ(walk_count(u), 1u);

    // Everything again, then nothing.
    flow_units_forget(u);
    flow_units_begin(u);
    fill(u, key(1), "fp1", {kA});
    fill(u, key(3), "fp3", {kB, kC});
    flow_units_end(u);
    EXPECT_EQ(flow_units_count(u), 3u);
    EXPECT_EQ(walk_count(u), 3u);
    flow_units_begin(u);
    flow_units_end(u);
    EXPECT_EQ(flow_units_count(u), 0u);
    EXPECT_EQ(walk_count(u), 0u);
    dirty_priorities(u);
    EXPECT_EQ(flow_units_count(u), 0u);
    flow_units_destroy(u);
}

}  // namespace
