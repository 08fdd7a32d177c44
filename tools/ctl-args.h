/* Command arguments of ovs-vnet-ctl: positional arguments and "--key[=value]"
 * options after the command name, checked against the command's option spec.
 *
 * A spec lists the accepted options, comma-separated; "--name=" takes a value,
 * "--if-exists" does not: "--name=,--bridge=,--if-exists".  Pure (no I/O). */
#ifndef VNET_CTL_ARGS_H
#define VNET_CTL_ARGS_H 1

#include <stdbool.h>
#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

struct ctl_option {
    char *key;                  /* "--name". */
    char *value;                /* Value, or NULL for an option without one. */
};

struct ctl_args {
    int n_pos;
    char **pos;                 /* Positional arguments (not copied). */
    size_t n_opts;
    struct ctl_option *opts;    /* Options in order, repeated ones too. */
};

/* Parses argv[0..argc-1] (the words after the command name) for command 'cmd'
 * with option spec 'spec'; "--" ends options.  Returns NULL on success (free
 * 'args' with ctl_args_destroy()), else a malloc'd message (caller frees). */
char *ctl_args_parse(const char *cmd, const char *spec, int argc, char *argv[],
                     struct ctl_args *args);
void ctl_args_destroy(struct ctl_args *args);

/* The value of option 'key' ("" for an option without value), the last one
 * if it was given several times, or NULL if it was not given. */
const char *ctl_args_get(const struct ctl_args *args, const char *key);

/* Parses a -t/--timeout value: whole seconds, 0 to 86400.  Returns true on
 * success. */
bool ctl_parse_timeout(const char *s, int *secs);

#ifdef __cplusplus
}
#endif

#endif /* tools/ctl-args.h */
