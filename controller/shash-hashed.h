/* A lookup in an Open vSwitch 'struct shash' by a name whose hash the caller
 * already has (lib/shash.c hashes names with hash_string(name, 0) and keeps
 * its own hashed lookup private). */
#ifndef VNET_SHASH_HASHED_H
#define VNET_SHASH_HASHED_H 1

#include <stdint.h>
#include <string.h>

#include "openvswitch/shash.h"

/* The data of 'name' in 'sh', or NULL; 'hash' is hash_string(name, 0). */
static inline void *
shash_find_data_hashed(const struct shash *sh, const char *name,
                       uint32_t hash)
{
    const struct shash_node *node;
    HMAP_FOR_EACH_WITH_HASH (node, node, hash, &sh->map) {
        if (!strcmp(node->name, name)) {
            return node->data;
        }
    }
    return NULL;
}

#endif /* controller/shash-hashed.h */
