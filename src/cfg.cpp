#include "cfg.h"

#include <sys/stat.h>

#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>

#include "error.h"
#include "log.h"

namespace dn {

namespace {

std::string strip_spaces(const std::string& s) {
    std::string out;
    out.reserve(s.size());
    for (char ch : s)
        if (ch != ' ' && ch != '\t' && ch != '\r' && ch != '\n') out += ch;
    return out;
}

std::string lower(std::string s) {
    for (char& ch : s) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
    return s;
}

std::string quoted(const std::string& s) {
    if (s.size() > 40) return "\"" + s.substr(0, 40) + "...\"";
    return "\"" + s + "\"";
}

bool parse_int(const std::string& s, long* out) {
    if (s.empty()) return false;
    errno = 0;
    char* end = nullptr;
    long v = std::strtol(s.c_str(), &end, 10);
    if (errno != 0 || *end != '\0') return false;
    *out = v;
    return true;
}

bool parse_float(const std::string& s, float* out) {
    if (s.empty()) return false;
    errno = 0;
    char* end = nullptr;
    double v = std::strtod(s.c_str(), &end);
    if (errno != 0 || *end != '\0' || !std::isfinite(v) || std::fabs(v) > 3.0e38) return false;
    *out = static_cast<float>(v);
    return true;
}

// Both Darknets read numbers with atoi/atof, which stop at the first character that cannot
// continue the number: `filters=40 #32` (spaces already removed: "40#32") is 40 to both.
// The part of a numeric value from the first '#' or ';' on is that inline comment; anything
// else after the number stays an error.
std::string numeric_part(const std::string& s) {
    const std::size_t at = s.find_first_of("#;");
    return at == std::string::npos ? s : s.substr(0, at);
}

std::vector<std::string> split_commas(const std::string& s) {
    std::vector<std::string> parts;
    std::string cur;
    for (char ch : s) {
        if (ch == ',') {
            parts.push_back(cur);
            cur.clear();
        } else {
            cur += ch;
        }
    }
    parts.push_back(cur);
    return parts;
}

}  // namespace

std::string read_text_file(const std::string& path) {
    struct stat st;
    if (stat(path.c_str(), &st) != 0)
        throw Error(path + ": cannot open: " + std::strerror(errno));
    if (S_ISDIR(st.st_mode)) throw Error(path + ": is a directory, expected a file");
    std::ifstream in(path, std::ios::binary);
    if (!in) throw Error(path + ": cannot open: " + std::strerror(errno));
    std::ostringstream ss;
    ss << in.rdbuf();
    if (in.bad()) throw Error(path + ": read error");
    return ss.str();
}

CfgFile parse_cfg_text(const std::string& text, const std::string& path) {
    CfgFile cfg;
    cfg.path = path;
    if (text.find('\0') != std::string::npos)
        throw Error(path + ": binary data, not a Darknet cfg file");
    std::istringstream in(text);
    std::string raw;
    int line_no = 0;
    while (std::getline(in, raw)) {
        ++line_no;
        const std::string line = strip_spaces(raw);
        if (line.empty() || line[0] == '#' || line[0] == ';') continue;
        const std::string at = path + ":" + std::to_string(line_no) + ": ";
        if (line[0] == '[') {
            if (line.back() != ']' || line.size() < 3)
                throw Error(at + "malformed section header " + quoted(line));
            CfgSection s;
            s.type = lower(line.substr(1, line.size() - 2));
            s.line = line_no;
            cfg.sections.push_back(std::move(s));
            continue;
        }
        const std::size_t eq = line.find('=');
        if (eq == std::string::npos || eq == 0)
            throw Error(at + "expected [section] or key=value, got " + quoted(line));
        if (cfg.sections.empty())
            throw Error(at + "option " + quoted(line.substr(0, eq)) + " before any [section]");
        CfgOption opt;
        opt.key = line.substr(0, eq);
        opt.value = line.substr(eq + 1);
        opt.line = line_no;
        cfg.sections.back().options.push_back(std::move(opt));
    }
    return cfg;
}

CfgFile read_cfg_file(const std::string& path) {
    CfgFile cfg = parse_cfg_text(read_text_file(path), path);
    if (cfg.sections.empty()) throw Error(path + ": empty cfg: no [net] section");
    return cfg;
}

CfgSection read_options_file(const std::string& path) {
    const std::string text = read_text_file(path);
    if (text.find('\0') != std::string::npos)
        throw Error(path + ": binary data, not a key=value file");
    // A .data file has no sections: parse it as the body of one anonymous section.
    CfgFile f = parse_cfg_text("[data]\n" + text, path);
    CfgSection s = std::move(f.sections.at(0));
    s.type.clear();
    s.line = 0;
    for (CfgOption& o : s.options) o.line -= 1;
    return s;
}

std::vector<std::string> read_lines(const std::string& path) {
    std::istringstream in(read_text_file(path));
    std::vector<std::string> lines;
    std::string line;
    while (std::getline(in, line)) {
        while (!line.empty() && (line.back() == '\r' || line.back() == '\n')) line.pop_back();
        lines.push_back(line);
    }
    return lines;
}

SectionReader::SectionReader(const std::string& path, const CfgSection& section, int index)
    : path_(path), section_(section), index_(index) {}

const CfgOption* SectionReader::find(const char* key) const {
    const CfgOption* found = nullptr;
    for (const CfgOption& o : section_.options) {
        if (o.key == key) {
            o.used = true;
            found = &o;  // upstream reads the first; a repeated key is reported unused
            break;
        }
    }
    return found;
}

bool SectionReader::has(const char* key) const {
    for (const CfgOption& o : section_.options)
        if (o.key == key) return true;
    return false;
}

int SectionReader::line_of(const char* key) const {
    if (key)
        for (const CfgOption& o : section_.options)
            if (o.key == key) return o.line;
    return section_.line;
}

std::string SectionReader::where(const char* key) const {
    std::string s = path_ + ":" + std::to_string(line_of(key)) + ": ";
    if (!section_.type.empty()) s += "[" + section_.type + "] #" + std::to_string(index_) + ": ";
    if (key) s += std::string(key) + ": ";
    return s;
}

std::string SectionReader::where_line(int line) const {
    std::string s = path_ + ":" + std::to_string(line) + ": ";
    if (!section_.type.empty()) s += "[" + section_.type + "] #" + std::to_string(index_) + ": ";
    return s;
}

void SectionReader::fail(const char* key, const std::string& problem) const {
    throw Error(where(key) + problem);
}

int SectionReader::get_int(const char* key, int def) const {
    const CfgOption* o = find(key);
    if (!o) return def;
    long v = 0;
    if (!parse_int(numeric_part(o->value), &v) || v < -(1L << 30) || v > (1L << 30))
        fail(key, "expected an integer, got " + quoted(o->value));
    return static_cast<int>(v);
}

int SectionReader::get_int_in(const char* key, int def, int lo, int hi) const {
    const int v = get_int(key, def);
    if (v < lo || v > hi) {
        const CfgOption* o = find(key);
        std::string range = hi >= (1 << 30) ? "at least " + std::to_string(lo)
                                            : "in [" + std::to_string(lo) + ", " + std::to_string(hi) + "]";
        fail(key, "expected an integer " + range + ", got " +
                      quoted(o ? o->value : std::to_string(def)));
    }
    return v;
}

float SectionReader::get_float(const char* key, float def) const {
    const CfgOption* o = find(key);
    if (!o) return def;
    float v = 0;
    if (!parse_float(numeric_part(o->value), &v)) fail(key, "expected a number, got " + quoted(o->value));
    return v;
}

std::string SectionReader::get_string(const char* key, const std::string& def) const {
    const CfgOption* o = find(key);
    return o ? o->value : def;
}

std::string SectionReader::list_part(const char* key, const std::string& value) const {
    // The Darknets split a list at every ',' of the value, comment included, then atoi each
    // piece: "-1,8#was-1,4" is [-1, 8, 4] to them (and to AlexeyAB's mask parser [-1, 8]).
    // A comment holding a ',' is refused rather than read one of those ways.
    const std::string nums = numeric_part(value);
    if (nums.size() != value.size() && value.find(',', nums.size()) != std::string::npos)
        fail(key, "the inline comment in " + quoted(value) + " holds a ',': the Darknets would read numbers from it; remove it or move it to its own line");
    return nums;
}

std::vector<int> SectionReader::get_int_list(const char* key) const {
    std::vector<int> out;
    const CfgOption* o = find(key);
    if (!o) return out;
    for (const std::string& part : split_commas(list_part(key, o->value))) {
        long v = 0;
        if (!parse_int(part, &v) || v < -(1L << 30) || v > (1L << 30))
            fail(key, "expected comma-separated integers, got " + quoted(o->value));
        out.push_back(static_cast<int>(v));
    }
    return out;
}

std::vector<float> SectionReader::get_float_list(const char* key) const {
    std::vector<float> out;
    const CfgOption* o = find(key);
    if (!o) return out;
    for (const std::string& part : split_commas(list_part(key, o->value))) {
        float v = 0;
        if (!parse_float(part, &v))
            fail(key, "expected comma-separated numbers, got " + quoted(o->value));
        out.push_back(v);
    }
    return out;
}

void SectionReader::warn_unused() const {
    for (const CfgOption& o : section_.options) {
        if (o.used) continue;
        log_warn("%sunused option %s=%s", where_line(o.line).c_str(), o.key.c_str(), o.value.c_str());
    }
}

}  // namespace dn
