#include <config.h>
#include "tools/ctl-args.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

/* Looks 'key' up in 'spec'.  Returns 0 if unknown, 1 if it takes no value, 2 if
 * it takes one. */
static int
spec_lookup(const char *spec, const char *key, size_t key_len)
{
    const char *p = spec;
    while (p && *p) {
        const char *end = strchr(p, ',');
        size_t len = end ? end - p : strlen(p);
        if (len == key_len && !strncmp(p, key, key_len)) {
            return 1;
        }
        if (len == key_len + 1 && !strncmp(p, key, key_len) && p[len - 1] == '=') {
            return 2;
        }
        p = end ? end + 1 : NULL;
    }
    return 0;
}

/* Every option is kept, in order (an option may be given several times:
 * ctl_args_get() finds the last). */
static void
add_option(struct ctl_args *args, char *key, const char *value)
{
    args->opts = xrealloc(args->opts, (args->n_opts + 1) * sizeof *args->opts);
    args->opts[args->n_opts].key = key;
    args->opts[args->n_opts].value = nullable_xstrdup(value);
    args->n_opts++;
}

char *
ctl_args_parse(const char *cmd, const char *spec, int argc, char *argv[],
               struct ctl_args *args)
{
    bool options_done = false;

    memset(args, 0, sizeof *args);
    args->pos = xmalloc((argc + 1) * sizeof *args->pos);
    for (int i = 0; i < argc; i++) {
        const char *arg = argv[i];
        if (options_done || strncmp(arg, "--", 2)) {
            args->pos[args->n_pos++] = argv[i];
            continue;
        }
        if (!arg[2]) {
            options_done = true;
            continue;
        }

        const char *eq = strchr(arg, '=');
        size_t key_len = eq ? eq - arg : strlen(arg);
        char *error = NULL;
        switch (spec_lookup(spec, arg, key_len)) {
        case 0:
            error = xasprintf("%s: unknown option %.*s", cmd, (int) key_len, arg);
            break;
        case 1:
            if (eq) {
                error = xasprintf("%s: option %.*s takes no value", cmd,
                                  (int) key_len, arg);
            }
            break;
        case 2:
            if (!eq) {
                error = xasprintf("%s: option %s requires a value (%s=VALUE)",
                                  cmd, arg, arg);
            }
            break;
        }
        if (error) {
            ctl_args_destroy(args);
            return error;
        }
        add_option(args, xmemdup0(arg, key_len), eq ? eq + 1 : NULL);
    }
    args->pos[args->n_pos] = NULL;
    return NULL;
}

void
ctl_args_destroy(struct ctl_args *args)
{
    if (args) {
        for (size_t i = 0; i < args->n_opts; i++) {
            free(args->opts[i].key);
            free(args->opts[i].value);
        }
        free(args->opts);
        free(args->pos);
        memset(args, 0, sizeof *args);
    }
}

const char *
ctl_args_get(const struct ctl_args *args, const char *key)
{
    for (size_t i = args->n_opts; i-- > 0;) {
        if (!strcmp(args->opts[i].key, key)) {
            return args->opts[i].value ? args->opts[i].value : "";
        }
    }
    return NULL;
}

bool
ctl_parse_timeout(const char *s, int *secs)
{
    char *end;
    long value;

    errno = 0;
    value = strtol(s, &end, 10);
    if (!*s || *end || errno || value < 0 || value > 86400) {
        return false;
    }
    *secs = value;
    return true;
}
