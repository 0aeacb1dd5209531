#include "activations.h"

#include <cmath>

namespace dn {

namespace {
struct Named {
    const char* name;
    Activation a;
};
const Named kNames[] = {
    {"logistic", Activation::logistic}, {"loggy", Activation::loggy},
    {"relu", Activation::relu},         {"elu", Activation::elu},
    {"selu", Activation::selu},         {"relie", Activation::relie},
    {"plse", Activation::plse},         {"hardtan", Activation::hardtan},
    {"lhtan", Activation::lhtan},       {"linear", Activation::linear},
    {"ramp", Activation::ramp},         {"leaky", Activation::leaky},
    {"tanh", Activation::tanh},         {"stair", Activation::stair},
};

inline float stair(float x) {
    const int n = static_cast<int>(std::floor(x));
    if (n % 2 == 0) return static_cast<float>(std::floor(x / 2.));
    return static_cast<float>((x - n) + std::floor(x / 2.));
}
}  // namespace

bool parse_activation(const std::string& name, Activation* out) {
    for (const Named& n : kNames) {
        if (name == n.name) {
            *out = n.a;
            return true;
        }
    }
    return false;
}

const char* activation_name(Activation a) {
    for (const Named& n : kNames)
        if (n.a == a) return n.name;
    return "?";
}

std::string activation_names() {
    std::string s;
    for (const Named& n : kNames) {
        if (!s.empty()) s += ", ";
        s += n.name;
    }
    return s;
}

float activate(float x, Activation a) {
    switch (a) {
        case Activation::linear: return x;
        case Activation::logistic: return static_cast<float>(1. / (1. + std::exp(-double(x))));
        case Activation::loggy: return static_cast<float>(2. / (1. + std::exp(-double(x))) - 1);
        case Activation::relu: return x * (x > 0);
        case Activation::elu:
            return static_cast<float>((x >= 0) * x + (x < 0) * (std::exp(double(x)) - 1));
        case Activation::selu:
            return static_cast<float>((x >= 0) * 1.0507 * x +
                                      (x < 0) * 1.0507 * 1.6732 * (std::exp(double(x)) - 1));
        case Activation::relie: return x > 0 ? x : static_cast<float>(.01 * x);
        case Activation::ramp: return static_cast<float>(x * (x > 0) + .1 * x);
        case Activation::leaky: return x > 0 ? x : static_cast<float>(.1 * x);
        case Activation::tanh: {
            const double e = std::exp(2. * x);
            return static_cast<float>((e - 1) / (e + 1));
        }
        case Activation::plse:
            if (x < -4) return static_cast<float>(.01 * (x + 4));
            if (x > 4) return static_cast<float>(.01 * (x - 4) + 1);
            return static_cast<float>(.125 * x + .5);
        case Activation::stair: return stair(x);
        case Activation::hardtan:
            if (x < -1) return -1;
            if (x > 1) return 1;
            return x;
        case Activation::lhtan:
            if (x < 0) return static_cast<float>(.001 * x);
            if (x > 1) return static_cast<float>(.001 * (x - 1) + 1);
            return x;
    }
    return x;
}

namespace {
inline float logistic(float x) { return static_cast<float>(1. / (1. + std::exp(-double(x)))); }
}  // namespace

void activate_array(float* x, std::size_t n, Activation a) {
    if (a == Activation::linear) return;
    if (a == Activation::leaky) {
        for (std::size_t i = 0; i < n; ++i) x[i] = x[i] > 0 ? x[i] : static_cast<float>(.1 * x[i]);
        return;
    }
    if (a == Activation::logistic) {  // the formula of activate(), without its switch per element
        for (std::size_t i = 0; i < n; ++i) x[i] = logistic(x[i]);
        return;
    }
    for (std::size_t i = 0; i < n; ++i) x[i] = activate(x[i], a);
}

}  // namespace dn
