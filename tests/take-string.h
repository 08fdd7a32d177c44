// Helper for unit tests of functions that return a malloc'd message or NULL.
#ifndef VNET_TESTS_TAKE_STRING_H
#define VNET_TESTS_TAKE_STRING_H 1

#include <cstdlib>
#include <string>

// Returns 's' as a string ("" for NULL) and frees it.
inline std::string
take(char *s)
{
    std::string copy = s ? s : "";
    free(s);
    return copy;
}

#endif  // tests/take-string.h
