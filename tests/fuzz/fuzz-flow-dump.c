/* Fuzz target: what ovs-vnetd decodes from a switch's OpenFlow replies:
 * flow stats replies (the audit's dump, flow_dump_decode()) and flow monitor
 * updates (flow_updates_decode()).  The input is an OpenFlow message; its
 * length field is set to the input's length, so that the decoders, not the
 * framing of the channel, see the bytes.  Flows decoded from a dump are
 * compared with a flow of other actions, as an audit compares a flow that
 * differs (Open vSwitch's check of the actions against the match runs on
 * the decoded one then), and formatted. */
#include <config.h>

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "byte-order.h"
#include "flows/flow-table.h"
#include "flows/installer.h"
#include "openvswitch/ofp-msgs.h"
#include "openvswitch/vlog.h"
#include "util.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static bool initialized;
    if (!initialized) {
        vlog_set_levels(NULL, VLF_ANY_DESTINATION, VLL_OFF);
        initialized = true;
    }
    if (size < sizeof(struct ofp_header) || size > 65535) {
        return 0;
    }
    struct ofp_header *oh = xmemdup(data, size);
    oh->length = htons(size);

    enum ofptype type;
    if (!ofptype_decode(&type, oh)) {
        struct flow_table t;
        flow_table_init(&t);
        if (type == OFPTYPE_FLOW_STATS_REPLY) {
            flow_dump_decode(oh, &t);
            struct flow_table other;
            flow_table_init(&other);
            free(flow_table_add(&other, 0, "priority=0,actions=output:1"));
            struct vnet_flow *o, *f;
            FLOW_TABLE_FOR_EACH (o, &other) {
                FLOW_TABLE_FOR_EACH (f, &t) {
                    vnet_flow_actions_equal(f, o);
                }
            }
            flow_table_destroy(&other);
            char *text = flow_table_format(&t);
            free(text);
        } else if (type == OFPTYPE_FLOW_MONITOR_STATS_REPLY) {
            struct flow_updates_result r;
            flow_updates_decode(oh, &t, &r);
        }
        flow_table_destroy(&t);
    }
    free(oh);
    return 0;
}
