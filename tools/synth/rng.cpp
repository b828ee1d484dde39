#include "synth/rng.h"

#include <array>
#include <cmath>
#include <numbers>

namespace refluxscan::synth {
namespace {

uint64_t RotateLeft(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }

// Divides the 128-bit number held in four 32-bit limbs (most significant first) by 10 in place
// and returns the remainder: long division, so no non-standard 128-bit integer type is needed.
uint32_t DivideBy10(std::array<uint32_t, 4>& limbs) {
  uint64_t remainder = 0;
  for (uint32_t& limb : limbs) {
    const uint64_t value = (remainder << 32) | limb;
    limb = static_cast<uint32_t>(value / 10);
    remainder = value % 10;
  }
  return static_cast<uint32_t>(remainder);
}

}  // namespace

uint64_t SplitMix64(uint64_t& state) {
  uint64_t z = (state += 0x9E3779B97F4A7C15ull);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}

uint64_t HashString(std::string_view text, uint64_t seed) {
  uint64_t h = 0xCBF29CE484222325ull ^ seed;
  for (char c : text) {
    h ^= static_cast<unsigned char>(c);
    h *= 0x100000001B3ull;
  }
  return SplitMix64(h);
}

Rng::Rng(uint64_t seed) {
  uint64_t state = seed;
  for (uint64_t& s : s_) s = SplitMix64(state);
}

uint64_t Rng::Next() {
  const uint64_t result = RotateLeft(s_[1] * 5, 7) * 9;
  const uint64_t t = s_[1] << 17;
  s_[2] ^= s_[0];
  s_[3] ^= s_[1];
  s_[1] ^= s_[2];
  s_[0] ^= s_[3];
  s_[2] ^= t;
  s_[3] = RotateLeft(s_[3], 45);
  return result;
}

double Rng::Uniform() { return static_cast<double>(Next() >> 11) * 0x1.0p-53; }

double Rng::Uniform(double lo, double hi) { return lo + (hi - lo) * Uniform(); }

int Rng::Int(int lo, int hi) {
  const uint64_t span = static_cast<uint64_t>(static_cast<int64_t>(hi) - lo + 1);
  return lo + static_cast<int>(Next() % span);  // bias < 2^-40 for our small spans
}

bool Rng::Chance(double probability) { return Uniform() < probability; }

double Rng::Normal() {
  const double u1 = 1.0 - Uniform();  // (0, 1]: log is finite
  const double u2 = Uniform();
  return std::sqrt(-2.0 * std::log(u1)) * std::cos(2.0 * std::numbers::pi * u2);
}

Rng Rng::Fork(uint64_t stream) {
  uint64_t state = Next() ^ (stream * 0xD1B54A32D192ED03ull);
  return Rng(SplitMix64(state));
}

std::string DeterministicUid(std::string_view key) {
  const uint64_t hi = HashString(key, 0x5EED0001ull);
  const uint64_t lo = HashString(key, 0x5EED0002ull);
  std::array<uint32_t, 4> limbs = {static_cast<uint32_t>(hi >> 32), static_cast<uint32_t>(hi),
                                   static_cast<uint32_t>(lo >> 32), static_cast<uint32_t>(lo)};
  std::string digits;
  do {
    digits.insert(digits.begin(), static_cast<char>('0' + DivideBy10(limbs)));
  } while (limbs[0] != 0 || limbs[1] != 0 || limbs[2] != 0 || limbs[3] != 0);
  return "2.25." + digits;
}

}  // namespace refluxscan::synth
