#pragma once
// A small, portable, seedable random generator (xoshiro256** seeded by splitmix64) with our own
// uniform/normal transforms: std:: distributions differ between standard libraries, and the
// generator must produce identical studies for a seed on every platform.
#include <cstdint>
#include <span>
#include <string>
#include <string_view>

namespace refluxscan::synth {

// splitmix64 step: a good 64-bit mixer, also used to derive seeds and UIDs.
uint64_t SplitMix64(uint64_t& state);
// Mixes a string into a 64-bit hash (FNV-1a then splitmix finalizer).
uint64_t HashString(std::string_view text, uint64_t seed = 0);

class Rng {
 public:
  explicit Rng(uint64_t seed);
  uint64_t Next();                       // raw 64 bits
  double Uniform();                      // [0, 1), 53-bit resolution
  double Uniform(double lo, double hi);  // [lo, hi)
  int Int(int lo, int hi);               // inclusive range [lo, hi]
  bool Chance(double probability);       // true with the given probability
  double Normal();                       // standard normal (Box-Muller, no cached pair)
  // A child generator for an independent stream (clip, scatterers ...), stable under reordering.
  Rng Fork(uint64_t stream);
  template <class T>
  const T& Pick(std::span<const T> items) {
    return items[static_cast<size_t>(Int(0, static_cast<int>(items.size()) - 1))];
  }

 private:
  uint64_t s_[4];
};

// A deterministic DICOM UID "2.25.<decimal of a 128-bit hash of key>" (PS3.5 B.2: UUID-derived
// UIDs under 2.25 need no registered root). At most 44 characters.
std::string DeterministicUid(std::string_view key);

}  // namespace refluxscan::synth
