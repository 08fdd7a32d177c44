// Helpers for unit tests that check generated flows as text, one flow per
// line (flow_table_format()).
#ifndef VNET_TESTS_FLOW_LINES_H
#define VNET_TESTS_FLOW_LINES_H 1

#include <sstream>
#include <string>
#include <vector>

inline std::vector<std::string>
lines_of(const std::string &text)
{
    std::vector<std::string> lines;
    std::istringstream in(text);
    for (std::string line; std::getline(in, line); ) {
        lines.push_back(line);
    }
    return lines;
}

// Flows whose text contains every one of 'parts'.
inline size_t
count_matching(const std::vector<std::string> &lines,
               const std::vector<std::string> &parts)
{
    size_t n = 0;
    for (const auto &l : lines) {
        bool all = true;
        for (const auto &p : parts) {
            all = all && l.find(p) != std::string::npos;
        }
        n += all;
    }
    return n;
}

#endif  // tests/flow-lines.h
