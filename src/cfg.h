// Reader for upstream Darknet's ini-style files (.cfg and .data): `[section]` headers,
// `key=value` lines, blank lines and `#`/`;` comments. As upstream, all whitespace inside
// a line is removed before parsing. Every option keeps its line number so errors can say
// file:line, and every lookup marks the option used so unused keys can be reported.
#pragma once
#include <string>
#include <vector>

namespace dn {

struct CfgOption {
    std::string key, value;
    int line = 0;
    mutable bool used = false;
};

struct CfgSection {
    std::string type;  // as written between the brackets, lower-cased
    int line = 0;
    std::vector<CfgOption> options;
};

struct CfgFile {
    std::string path;
    std::vector<CfgSection> sections;
};

// Reads a sectioned .cfg file. Throws dn::Error "PATH:LINE: problem" on unreadable files,
// binary content, lines that are neither section, option nor comment, or options before
// the first section.
CfgFile read_cfg_file(const std::string& path);
// Parses cfg text held in memory; `path` is used in messages only.
CfgFile parse_cfg_text(const std::string& text, const std::string& path);
// Reads a section-less key=value file (.data); its options come back as one section with
// an empty type.
CfgSection read_options_file(const std::string& path);
// Reads a whole file into a string; throws dn::Error naming the path on any failure
// (missing, a directory, unreadable).
std::string read_text_file(const std::string& path);
// Non-empty lines of a text file (trailing \r and \n removed), e.g. a names list.
std::vector<std::string> read_lines(const std::string& path);

// Typed, strict access to one section's options. Numbers end at an inline comment, as the
// Darknets' atoi/atof read them (`filters=40 #32` is 40); strings are kept whole, as both
// forks keep them (an activation named "leaky#x" is unknown to them too). Errors read
// "FILE:LINE: [type] #INDEX: KEY: expected ..., got "VALUE"".
class SectionReader {
public:
    SectionReader(const std::string& path, const CfgSection& section, int index);

    bool has(const char* key) const;
    int get_int(const char* key, int def) const;
    // Like get_int but the value must lie in [lo, hi].
    int get_int_in(const char* key, int def, int lo, int hi) const;
    float get_float(const char* key, float def) const;
    std::string get_string(const char* key, const std::string& def) const;
    // Comma-separated integers ("-1,8"); an absent key gives an empty list.
    std::vector<int> get_int_list(const char* key) const;
    std::vector<float> get_float_list(const char* key) const;
    // Line of an option (or of the section header when absent).
    int line_of(const char* key) const;
    // "FILE:LINE: [type] #INDEX: " prefix for messages about this section or one key.
    std::string where(const char* key = nullptr) const;
    // The same prefix for an option at `line` (a repeated key has lines of its own).
    std::string where_line(int line) const;
    // Throws dn::Error at the key's location with the given problem.
    [[noreturn]] void fail(const char* key, const std::string& problem) const;
    // Warns about every option nothing has read (typos, keys of other Darknet forks).
    void warn_unused() const;

    const CfgSection& section() const { return section_; }
    const std::string& path() const { return path_; }

private:
    const CfgOption* find(const char* key) const;
    // A list value up to its inline comment; fails when the comment holds a ','.
    std::string list_part(const char* key, const std::string& value) const;

    std::string path_;
    const CfgSection& section_;
    int index_;
};

}  // namespace dn
