/* Fuzz target: what ovs-vnet-ctl reads back from ovs-vswitchd's
 * ofproto/trace (tools/trace-parse.h).  The input is the text; every output
 * found is looked up again as trace does. */
#include <config.h>

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "openvswitch/vlog.h"
#include "tools/trace-parse.h"
#include "util.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static bool initialized;
    if (!initialized) {
        vlog_set_levels(NULL, VLF_ANY_DESTINATION, VLL_OFF);
        initialized = true;
    }
    if (size > 1 << 20) {
        return 0;
    }
    char *text = xmemdup0((const char *) data, size);
    struct trace_text t;
    char *error = trace_text_parse(text, "br-vnet", &t);
    if (!error) {
        for (size_t i = 0; i < t.n_outputs; i++) {
            const char *flow = trace_output_flow(&t, &t.outputs[i]);
            if (!flow || t.outputs[i].hit >= t.n_hits) {
                abort();
            }
        }
        if (t.dropped && t.drop_hit >= t.n_hits) {
            abort();
        }
        trace_text_destroy(&t);
    }
    free(error);
    free(text);
    return 0;
}
