// A directory of a unit test's own under /tmp, removed with the files it
// holds when the test's fixture goes.
#ifndef VNET_TESTS_TEMP_DIR_H
#define VNET_TESTS_TEMP_DIR_H 1

#include <dirent.h>
#include <stdlib.h>
#include <unistd.h>

#include <string>

class TempDir {
public:
    // Makes /tmp/PREFIX.XXXXXX; path() is empty if it could not.
    explicit TempDir(const char *prefix)
    {
        std::string tmpl = std::string("/tmp/") + prefix + ".XXXXXX";
        if (mkdtemp(&tmpl[0])) {
            path_ = tmpl;
        }
    }
    ~TempDir()
    {
        if (path_.empty()) {
            return;
        }
        if (DIR *d = opendir(path_.c_str())) {
            while (struct dirent *de = readdir(d)) {
                std::string name = de->d_name;
                if (name != "." && name != "..") {
                    unlink(file(name).c_str());
                }
            }
            closedir(d);
        }
        rmdir(path_.c_str());
    }
    TempDir(const TempDir &) = delete;
    TempDir &operator=(const TempDir &) = delete;

    const std::string &path() const { return path_; }
    // The path of 'name' in it.
    std::string file(const std::string &name) const
    {
        return path_ + "/" + name;
    }

private:
    std::string path_;
};

#endif // tests/temp-dir.h
