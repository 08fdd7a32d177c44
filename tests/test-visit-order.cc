// Unit tests: the order of a pass's visits, to guess the next pass's
// (flows/visit-order.h).
#include <gtest/gtest.h>

#include <vector>

#include "flows/visit-order.h"

namespace {

// Visits 'objects' of 'all' in a pass; returns how many were guessed.
size_t
pass(visit_order *vo, std::vector<int> &all, const std::vector<int> &objects)
{
    size_t guessed = 0;
    visit_order_begin(vo);
    for (int i : objects) {
        void *object = &all[i];
        guessed += visit_order_guess(vo) == object;
        visit_order_visit(vo, object);
    }
    visit_order_end(vo);
    return guessed;
}

TEST(VisitOrder, FollowsTheLastPassAndCatchesUpAfterAChange)
{
    std::vector<int> all(10);
    visit_order vo;
    visit_order_init(&vo);
    EXPECT_EQ(pass(&vo, all, {0, 1, 2, 3, 4}), 0u);    // Nothing to go by.
    EXPECT_EQ(pass(&vo, all, {0, 1, 2, 3, 4}), 5u);
    EXPECT_EQ(pass(&vo, all, {0, 1, 9, 2, 3, 4}), 5u); // One more: 9 missed.
    EXPECT_EQ(pass(&vo, all, {0, 1, 2, 3, 4}), 4u);    // 9 left out: 2 missed,
    EXPECT_EQ(pass(&vo, all, {0, 1, 2, 3, 4}), 5u);    // then followed again.
    EXPECT_EQ(pass(&vo, all, {4, 3, 2, 1, 0}), 0u);    // Turned around,
    EXPECT_EQ(pass(&vo, all, {4, 3, 2, 1, 0}), 5u);    // learnt at once.
    visit_order_destroy(&vo);
}

TEST(VisitOrder, APassThatDidNotEndIsForgotten)
{
    std::vector<int> all(4);
    visit_order vo;
    visit_order_init(&vo);
    pass(&vo, all, {0, 1, 2});
    visit_order_begin(&vo);
    visit_order_visit(&vo, &all[3]);    // (No end.)
    EXPECT_EQ(pass(&vo, all, {0, 1, 2}), 3u);
    visit_order_destroy(&vo);
}

}  // namespace
