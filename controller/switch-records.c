#include <config.h>
#include "controller/switch-records.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

#include "openvswitch/json.h"
#include "openvswitch/shash.h"
#include "ovsdb/names.h"
#include "util.h"

struct switch_record *
switch_record_create(const char *remote, const char *bridge,
                     const char *datapath_type, bool datapath_auto,
                     const char *rundir, const char *underlay)
{
    struct switch_record *r = xzalloc(sizeof *r);
    r->remote = xstrdup(remote);
    r->bridge = xstrdup(bridge);
    r->datapath_type = xstrdup(datapath_type);
    r->datapath_auto = datapath_auto;
    r->rundir = xstrdup(rundir);
    r->underlay = nullable_xstrdup(underlay);
    return r;
}

void
switch_record_destroy(struct switch_record *r)
{
    if (r) {
        free(r->remote);
        free(r->bridge);
        free(r->datapath_type);
        free(r->rundir);
        free(r->underlay);
        free(r);
    }
}

bool
switch_record_equals(const struct switch_record *a,
                     const struct switch_record *b)
{
    return (!strcmp(a->remote, b->remote) && !strcmp(a->bridge, b->bridge)
            && !strcmp(a->datapath_type, b->datapath_type)
            && a->datapath_auto == b->datapath_auto
            && !strcmp(a->rundir, b->rundir)
            && nullable_string_is_equal(a->underlay, b->underlay));
}

void
switch_records_destroy(struct shash *records)
{
    struct shash_node *node;
    SHASH_FOR_EACH_SAFE (node, records) {
        switch_record_destroy(node->data);
        shash_delete(records, node);
    }
    shash_destroy(records);
}

static const char *
member_string(const struct json *object, const char *name)
{
    const struct json *j = shash_find_data(json_object(object), name);
    return j && j->type == JSON_STRING ? json_string(j) : NULL;
}

/* Parses 'json' into 'records'.  Returns NULL or an error message. */
static char *
records_from_json(const struct json *json, struct shash *records)
{
    if (json->type != JSON_OBJECT) {
        return xstrdup("not a JSON object");
    }
    struct shash_node *node;
    SHASH_FOR_EACH (node, json_object(json)) {
        const struct json *r = node->data;
        char *error = vnet_name_check("switch", node->name);
        if (error) {
            return error;
        }
        if (r->type != JSON_OBJECT) {
            return xasprintf("switch %s: not a JSON object", node->name);
        }
        const char *remote = member_string(r, "remote");
        const char *bridge = member_string(r, "bridge");
        const char *dp = member_string(r, "datapath_type");
        const char *rundir = member_string(r, "rundir");
        const char *underlay = member_string(r, "underlay");
        const struct json *dp_auto = shash_find_data(json_object(r),
                                                     "datapath_auto");
        if (!remote || !bridge || !dp || !rundir || !dp_auto
            || (dp_auto->type != JSON_TRUE && dp_auto->type != JSON_FALSE)) {
            return xasprintf("switch %s: a member is missing", node->name);
        }
        switch_record_destroy(shash_replace(records, node->name,
            switch_record_create(remote, bridge, dp,
                                 dp_auto->type == JSON_TRUE, rundir,
                                 underlay)));
    }
    return NULL;
}

char *
switch_records_read(const char *file, struct shash *records)
{
    shash_init(records);
    if (access(file, F_OK) && errno == ENOENT) {
        return NULL;
    }
    struct json *json = json_from_file(file);
    char *error = NULL;
    if (json->type == JSON_STRING) {
        error = xasprintf("%s: %s", file, json_string(json));
    } else {
        char *why = records_from_json(json, records);
        if (why) {
            error = xasprintf("%s: %s", file, why);
            free(why);
        }
    }
    json_destroy(json);
    if (error) {
        switch_records_destroy(records);
        shash_init(records);
    }
    return error;
}

static struct json *
record_to_json(const struct switch_record *r)
{
    struct json *j = json_object_create();
    json_object_put_string(j, "remote", r->remote);
    json_object_put_string(j, "bridge", r->bridge);
    json_object_put_string(j, "datapath_type", r->datapath_type);
    json_object_put(j, "datapath_auto", json_boolean_create(r->datapath_auto));
    json_object_put_string(j, "rundir", r->rundir);
    if (r->underlay) {
        json_object_put_string(j, "underlay", r->underlay);
    }
    return j;
}

/* Writes 'text' into 'file' as a whole: into a new file, renamed over it. */
static char *
write_whole(const char *file, const char *text)
{
    char *tmp = xasprintf("%s.tmp", file);
    char *error = NULL;
    FILE *stream = fopen(tmp, "w");
    if (!stream) {
        error = xasprintf("%s: %s", tmp, ovs_strerror(errno));
    } else {
        bool ok = fputs(text, stream) >= 0 && fputc('\n', stream) != EOF;
        ok = !fflush(stream) && !fsync(fileno(stream)) && ok;
        if (fclose(stream) || !ok) {
            error = xasprintf("%s: write failed: %s", tmp,
                              ovs_strerror(errno));
        } else if (rename(tmp, file)) {
            error = xasprintf("%s: %s", file, ovs_strerror(errno));
        }
        if (error) {
            unlink(tmp);
        }
    }
    free(tmp);
    return error;
}

char *
switch_records_update(const char *file, bool (*is_mine)(const char *name),
                      const struct shash *mine)
{
    /* One ovs-vnetd at a time reads and writes the file. */
    char *lock_name = xasprintf("%s.lock", file);
    int fd = open(lock_name, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
    if (fd < 0 || flock(fd, LOCK_EX)) {
        char *error = xasprintf("%s: %s", lock_name, ovs_strerror(errno));
        if (fd >= 0) {
            close(fd);
        }
        free(lock_name);
        return error;
    }
    free(lock_name);

    struct shash records;
    char *error = switch_records_read(file, &records);
    if (error) {
        /* A file that cannot be read is replaced, not kept forever. */
        free(error);
    }
    struct json *json = json_object_create();
    struct shash_node *node;
    SHASH_FOR_EACH (node, &records) {
        if (!is_mine(node->name)) {
            json_object_put(json, node->name, record_to_json(node->data));
        }
    }
    SHASH_FOR_EACH (node, mine) {
        json_object_put(json, node->name, record_to_json(node->data));
    }
    switch_records_destroy(&records);

    char *text = json_to_string(json, JSSF_PRETTY | JSSF_SORT);
    error = write_whole(file, text);
    free(text);
    json_destroy(json);
    close(fd);                  /* Unlocks. */
    return error;
}
