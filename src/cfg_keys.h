// What the two Darknets read from a cfg, in one table: which keys are training-only (the
// only keys an inference engine may ignore), which change what a layer computes but are not
// implemented here (accepted only at their no-effect default), and which belong to
// AlexeyAB's fork alone. From it: the dialect a cfg is detected as, and the check that runs
// after each section is parsed.
#pragma once
#include <string>

#include "cfg.h"
#include "network.h"

namespace dn {

// The dialect of a cfg by its content: alexeyab when it uses a section type, key or
// activation only AlexeyAB's fork reads, else pjreddie. *why (when given) receives
// "FILE:LINE: [type] key" of the first such marker, or "" for pjreddie.
Dialect detect_dialect(const CfgFile& cfg, std::string* why = nullptr);

// Parses "pjreddie" or "alexeyab"; false for anything else.
bool parse_dialect(const std::string& name, Dialect* out);
const char* dialect_name(Dialect d);

// Every option of the section the parser did not read: a training-only key is ignored; a key
// that changes inference and is not implemented (or belongs to the other fork) throws
// dn::Error at its file:line unless its value is the no-effect default; a key no Darknet reads
// gets upstream's warning ("unused option"). `type` is the canonical section name
// ("convolutional" for [conv]).
void check_unused(const SectionReader& s, const std::string& type, Dialect dialect);

// Section types and activation names that only AlexeyAB's fork knows. pjreddie's Darknet
// skips such a section ("Type not recognized") and computes relu for such an activation
// ("Couldn't find activation function mish, going with ReLU").
bool is_alexeyab_section(const std::string& type);
bool is_alexeyab_activation(const std::string& name);

// True when `key` of section `type` is in the training-only list (for tests and listings).
bool is_training_key(const std::string& type, const std::string& key);

}  // namespace dn
