// Behaviour of MeasureReflux on hand-made envelopes.
#include "refluxscan/reflux/measure.h"

#include "refluxscan/reflux/criteria.h"

#include <algorithm>
#include <cmath>
#include <numbers>

#include <gtest/gtest.h>

#include "reflux/envelope_builder.h"

namespace refluxscan::reflux {
namespace {

using testing::EnvelopeSpec;
using testing::MakeEnvelope;
using testing::RaisedCosine;
using testing::Trapezoid;

// Augmentation (antegrade, positive) at `aug_s` for 0.6 s, reflux (negative) of `reflux_s` after.
double Maneuver(double t, double aug_s, double reflux_s, double reflux_cm_s = 25) {
  return testing::Squeeze(t, aug_s, reflux_s, reflux_cm_s);
}

// Behaviour tests: a noiseless, unblurred envelope, so the expected times are the true ones (the
// measured level is one velocity step, 0.5 cm/s). Accuracy under blur and a noise floor:
// accuracy_test.cpp.
Envelope Make(const std::function<double(double)>& v, double duration_s = 4) {
  return MakeEnvelope(
      v, EnvelopeSpec{.seconds_per_column = 0.01, .duration_s = duration_s, .blur_cols = 1});
}

// The clip reads `antegrade` flow, `maneuvers` maneuvers (0: at least one), and a reflux of about
// `duration_ms` (within 40 ms) after the first.
void ExpectFirstReflux(const Envelope& e, AntegradeDirection antegrade, size_t maneuvers,
                       double duration_ms) {
  const auto m = MeasureReflux(e);
  ASSERT_TRUE(m);
  EXPECT_EQ(m->antegrade, antegrade);
  ASSERT_GE(m->maneuvers.size(), 1u);
  if (maneuvers > 0) {
    EXPECT_EQ(m->maneuvers.size(), maneuvers);
  }
  ASSERT_TRUE(m->maneuvers[0].has_reflux);
  EXPECT_NEAR(m->maneuvers[0].reflux_duration_ms, duration_ms, 40);
}

// The clip reads upward antegrade flow and one squeeze without reflux, released at `release_s`
// (within `tolerance_s`).
void ExpectOneCompetentSqueeze(const Envelope& e, double release_s, double tolerance_s) {
  const auto m = MeasureReflux(e);
  ASSERT_TRUE(m);
  EXPECT_EQ(m->antegrade, AntegradeDirection::kUp);
  ASSERT_EQ(m->maneuvers.size(), 1u);
  EXPECT_EQ(m->maneuvers[0].kind, ManeuverKind::kAugmentation);
  EXPECT_NEAR(m->maneuvers[0].release_s, release_s, tolerance_s);
  EXPECT_FALSE(m->maneuvers[0].has_reflux);
}

// The first maneuver of the clip has a reflux, `truncated` (the clip ended during it) or not.
void ExpectFirstRefluxTruncated(const Envelope& e, bool truncated) {
  const auto m = MeasureReflux(e);
  ASSERT_TRUE(m);
  ASSERT_FALSE(m->maneuvers.empty());
  ASSERT_TRUE(m->maneuvers[0].has_reflux);
  EXPECT_EQ(m->maneuvers[0].truncated, truncated);
}

// The clip reads `antegrade` flow and one maneuver without reflux.
void ExpectOneManeuverWithoutReflux(const Envelope& e, AntegradeDirection antegrade) {
  const auto m = MeasureReflux(e);
  ASSERT_TRUE(m);
  EXPECT_EQ(m->antegrade, antegrade);
  ASSERT_EQ(m->maneuvers.size(), 1u);
  EXPECT_FALSE(m->maneuvers[0].has_reflux);
}

TEST(MeasureReflux, RejectsEmptyOrTimelessEnvelopes) {
  Envelope empty;
  empty.seconds_per_column = 0.01;
  EXPECT_EQ(MeasureReflux(empty).error().code, ErrorCode::kInvalidInput);
  Envelope no_time = Make([](double t) { return Maneuver(t, 1, 0); });
  no_time.seconds_per_column = 0;
  EXPECT_EQ(MeasureReflux(no_time).error().code, ErrorCode::kInvalidInput);
}

TEST(MeasureReflux, CompetentVeinHasAManeuverWithoutReflux) {
  auto m = MeasureReflux(Make([](double t) { return RaisedCosine(t, 1, 0.6, 45); }));
  ASSERT_TRUE(m);
  ASSERT_EQ(m->maneuvers.size(), 1u);
  EXPECT_FALSE(m->maneuvers[0].has_reflux);
  EXPECT_EQ(m->maneuvers[0].reflux_duration_ms, 0);
  EXPECT_NEAR(m->maneuvers[0].peak_antegrade_velocity_cm_s, 45, 1);
  EXPECT_EQ(m->decisive, 0u);
  EXPECT_EQ(m->antegrade, AntegradeDirection::kUp);
  EXPECT_DOUBLE_EQ(m->time_resolution_ms, 10);
}

// A reflux whose tail fades slowly through the band just above its offset level (twice that
// level down to it) is flagged `faint_tail`: its true end lies later than seen. The same reflux
// ending steeply is not. The measured times are not changed.
TEST(MeasureReflux, ASlowFadeIntoTheNoiseIsAFaintTail) {
  const auto reflux = [](double tail_s) {
    return [tail_s](double t) {
      // 20 cm/s from 1.6 s to 2.2 s, down to 1.2 cm/s by 2.3 s, then to 0 over `tail_s`.
      double v = 0;
      if (t > 1.6 && t <= 2.2) v = 20 * std::min(1.0, (t - 1.6) / 0.05);
      if (t > 2.2 && t <= 2.3) v = 20 - 18.8 * (t - 2.2) / 0.1;
      if (t > 2.3) v = std::max(0.0, 1.2 * (1 - (t - 2.3) / tail_s));
      return RaisedCosine(t, 1, 0.6, 45) - v;
    };
  };
  const auto slow = MeasureReflux(Make(reflux(0.6)));
  ASSERT_TRUE(slow);
  ASSERT_TRUE(slow->maneuvers.at(0).has_reflux);
  EXPECT_GE(slow->maneuvers[0].offset_fade_ms, 200);
  EXPECT_NE(std::find(slow->flags.begin(), slow->flags.end(), "faint_tail"), slow->flags.end());
  const auto steep = MeasureReflux(Make(reflux(0.05)));
  ASSERT_TRUE(steep);
  ASSERT_TRUE(steep->maneuvers.at(0).has_reflux);
  EXPECT_LT(steep->maneuvers[0].offset_fade_ms, 100);
  EXPECT_EQ(std::find(steep->flags.begin(), steep->flags.end(), "faint_tail"), steep->flags.end());
}

TEST(MeasureReflux, MeasuresDurationPeakVtiAndTiming) {
  auto m = MeasureReflux(Make([](double t) { return Maneuver(t, 1, 0.8, 25); }));
  ASSERT_TRUE(m);
  ASSERT_EQ(m->maneuvers.size(), 1u);
  const auto& man = m->maneuvers[0];
  ASSERT_TRUE(man.has_reflux);
  EXPECT_NEAR(man.reflux_duration_ms, 800, 10);
  EXPECT_NEAR(*man.reflux_onset_s, 1.6, 0.01);
  EXPECT_NEAR(*man.reflux_offset_s, 2.4, 0.01);
  EXPECT_LE(man.release_s, *man.reflux_onset_s);
  EXPECT_NEAR(man.peak_reflux_velocity_cm_s, 25, 0.5);
  EXPECT_NEAR(man.time_to_peak_ms, 60, 12);
  EXPECT_NEAR(man.reflux_vti_cm, 25 * (0.8 - 0.06), 0.6);  // trapezoid area
  // The retrograde side shows no noise at all: the level is one velocity step.
  EXPECT_NEAR(man.offset_velocity_cm_s, 0.5, 1e-9);
  EXPECT_FALSE(man.truncated);
  EXPECT_FALSE(man.aliased);
}

// The same slow retrograde run after a squeeze, its texture (Envelope::texture_*) that of the
// squeeze's speckle or a tenth of it: blood, or a coherent band (tissue clutter).
TEST(MeasureReflux, ACoherentBandIsNoRefluxSpeckledFlowIs) {
  const auto with_texture = [](float retro_texture) {
    Envelope e = Make([](double t) { return Maneuver(t, 1, 0.8, 6); });
    for (size_t c = 0; c < e.Size(); ++c) {
      e.texture_forward.push_back(e.max_forward[c] > 0 ? 0.15f : NAN);
      e.texture_reverse.push_back(e.max_reverse[c] > 0 ? retro_texture : NAN);
    }
    return MeasureReflux(e);
  };
  const auto speckled = with_texture(0.12f);
  ASSERT_TRUE(speckled);
  ASSERT_EQ(speckled->maneuvers.size(), 1u);
  EXPECT_TRUE(speckled->maneuvers[0].has_reflux);
  const auto coherent = with_texture(0.015f);
  ASSERT_TRUE(coherent);
  ASSERT_EQ(coherent->maneuvers.size(), 1u);
  EXPECT_FALSE(coherent->maneuvers[0].has_reflux);
}

// A squeeze spilling a thin band across the baseline over its whole length (its spectrum's low
// edge broadened past zero), the band running on into the reflux: while the antegrade side still
// reads more, the band is spill, not reflux; the onset is where the flow turns retrograde (the
// squeeze falls from 45 cm/s to 0 over 1.4-1.6 s and crosses the 4 cm/s band at 1.582 s).
TEST(MeasureReflux, SpillBesideTheSqueezeDoesNotStartTheReflux) {
  Envelope e = Make(
      [](double t) { return Trapezoid(t, 1.0, 0.6, 0.2, 45) - Trapezoid(t, 1.6, 0.8, 0.06, 25); });
  for (size_t i = 0; i < e.max_reverse.size(); ++i) {
    const double t = e.TimeOf(static_cast<double>(i));
    if (t >= 1.0 && t < 1.66) e.max_reverse[i] = std::max(e.max_reverse[i], 4.0f);
  }
  const auto m = MeasureReflux(e);
  ASSERT_TRUE(m);
  ASSERT_EQ(m->maneuvers.size(), 1u);
  const auto& man = m->maneuvers[0];
  ASSERT_TRUE(man.has_reflux);
  EXPECT_NEAR(*man.reflux_onset_s, 1.582, 0.015);
  EXPECT_NEAR(man.reflux_duration_ms, 818, 20);
}

// Respiratory phasic antegrade flow: 4 s period, rising over 2 s; no augmentation.
double Respiratory(double t) { return 5 * (1 + 0.9 * std::sin(2 * std::numbers::pi * t / 4)); }

TEST(MeasureReflux, RespiratoryPhasicFlowIsNoAugmentation) {
  auto m = MeasureReflux(Make(Respiratory, 8));
  ASSERT_TRUE(m);
  EXPECT_TRUE(m->maneuvers.empty());
  EXPECT_NE(std::find(m->flags.begin(), m->flags.end(), "no_augmentation"), m->flags.end());
}

TEST(MeasureReflux, SqueezeAmidRespiratoryFlowIsTheOnlyManeuver) {
  // Quiet phasic flow, silenced around a squeeze at 3 s (as the flow stops for it).
  auto v = [](double t) {
    const double quiet = (t < 2.6 || t > 4.4) ? Respiratory(t) : 0;
    return quiet + Maneuver(t, 3, 0.7);
  };
  auto m = MeasureReflux(Make(v, 8));
  ASSERT_TRUE(m);
  ASSERT_EQ(m->maneuvers.size(), 1u);
  EXPECT_NEAR(m->maneuvers[0].release_s, 3.6, 0.03);
  EXPECT_NEAR(m->maneuvers[0].reflux_duration_ms, 700, 10);
}

// A squeeze riding on a crest of resting flow (phasic flow rising from 0 at 0.3 s to 20 cm/s at
// 2.1 s, the squeeze adding 30 cm/s within 0.1 s at 2.5 s, the flow stopping at its release):
// one run above the augmentation level (15 cm/s), whose rise from the crest's trough takes over
// a second.
// The squeeze's part above half the run's peak rises from the shelf of resting flow and is the
// maneuver; the reflux after its release is measured (stop 23: a fourth independent renderer's
// squeezes on phasic flow read no maneuver, or the reflux as the squeeze).
TEST(MeasureReflux, ASqueezeRisingFromRestingFlowIsTheManeuver) {
  auto v = [](double t) {
    const double phase = std::sin(std::numbers::pi * (t - 0.3) / 3.6);
    const double rest = t > 0.3 && t < 3.1 ? 20 * phase * phase : 0;
    return rest + Trapezoid(t, 2.5, 0.6, 0.1, 30) - Trapezoid(t, 3.1, 0.7, 0.06, 30);
  };
  auto m = MeasureReflux(Make(v, 5));
  ASSERT_TRUE(m);
  EXPECT_EQ(m->antegrade, AntegradeDirection::kUp);
  ASSERT_EQ(m->maneuvers.size(), 1u);
  EXPECT_NEAR(m->maneuvers[0].release_s, 3.1, 0.03);
  ASSERT_TRUE(m->maneuvers[0].has_reflux);
  EXPECT_NEAR(m->maneuvers[0].reflux_duration_ms, 700, 20);
}

// A squeeze pushed on resting flow that is still rising (12 cm/s at 0 s to 20 cm/s at 2 s, the
// squeeze adding 30 cm/s within 0.1 s at 2 s, the flow stopping at its release): the lowest flow
// in the 0.4 s before the squeeze's part is at that window's start, as on a crest's flank, but
// the flow rose there many times faster than just before. It is the maneuver (stop 33: the
// eleventh independent renderer's squeezes on rising resting flow read no augmentation).
TEST(MeasureReflux, ASqueezeOnRisingRestingFlowIsTheManeuver) {
  auto v = [](double t) {
    const double rest = t < 2.6 ? 12 + 4 * t : 0;
    return rest + Trapezoid(t, 2.0, 0.6, 0.1, 30) - Trapezoid(t, 2.6, 0.7, 0.06, 30);
  };
  auto m = MeasureReflux(Make(v, 5));
  ASSERT_TRUE(m);
  EXPECT_EQ(m->antegrade, AntegradeDirection::kUp);
  ASSERT_EQ(m->maneuvers.size(), 1u);
  EXPECT_EQ(m->maneuvers[0].kind, ManeuverKind::kAugmentation);  // not a Valsalva's strain
  EXPECT_NEAR(m->maneuvers[0].release_s, 2.6, 0.03);
  ASSERT_TRUE(m->maneuvers[0].has_reflux);
  EXPECT_NEAR(m->maneuvers[0].reflux_duration_ms, 700, 20);
}

// A squeeze on a nearly flat shelf of resting flow just under the augmentation level (12 cm/s
// creeping to 12.45 cm/s, the squeeze adding 30 cm/s at 1.5 s, a competent vein: no reflux,
// so no weak-squeeze search finds it): the run above the level is the squeeze alone, and the
// shelf's lowest point is the recording's first column. The flow just before the run still sits
// at that level, so the rise is the run's own: it is the maneuver (stop 33: the eleventh
// independent renderer's squeezes on flat resting flow read no augmentation).
TEST(MeasureReflux, ASqueezeOnAFlatShelfUnderTheLevelIsTheManeuver) {
  auto v = [](double t) { return (t < 2.1 ? 12 + 0.3 * t : 0) + Trapezoid(t, 1.5, 0.6, 0.1, 30); };
  ExpectOneCompetentSqueeze(Make(v, 5), 2.1, 0.03);
}

// A squeeze pushed on a crest of resting flow just after a dip in it (the crest rising from 0 to
// 20 cm/s over 1.6 s, dipping to 12 cm/s at 2.3 s, the squeeze at 50 cm/s from 2.4 s to its
// release at 3 s): the run above the level starts at the squeeze, and from the crest's own trough
// its rise is the crest's slow one. From the dip it rises like a squeeze, to 2.5 x the crest: the
// maneuver of a competent vein (without a reflux after it, no weak-squeeze search finds it
// either; stop 34: a twelfth independent renderer's 47 cm/s squeeze on a 22 cm/s crest read no
// maneuver).
TEST(MeasureReflux, ASqueezeRisingFromADipInACrestIsTheManeuver) {
  auto v = [](double t) {
    const double phase = std::sin(std::numbers::pi * (t - 0.7) / 3.2);
    double rest = t > 0.7 && t < 2.3 ? 20 * phase * phase : 0;
    if (t >= 2.3 && t < 2.4) rest = 12;
    return rest + Trapezoid(t, 2.4, 0.6, 0.05, 50);
  };
  ExpectOneCompetentSqueeze(Make(v, 5), 3.0, 0.05);
}

// A squeeze pushed on resting flow that rose slowly for 2 s (2 -> 8 cm/s), rising to 22 cm/s in
// 0.2 s and falling back over 1 s to its release at 3.3 s, with a respiratory swell to 11 cm/s
// later. Counted from zero flow both its edges take over 0.6 s (the shelf), as a crest's do, but
// it rises by 14 cm/s within 0.2 s: the maneuver of a competent vein, not a crest (stop 40: a
// fourteenth independent renderer's no-reflux clip read no augmentation).
TEST(MeasureReflux, ASqueezeOnASlowlyRisingShelfIsNoRespiratoryCrest) {
  auto v = [](double t) {
    if (t < 2.1) return 2 + 3 * t;
    if (t < 2.3) return 8.3 + (22 - 8.3) * (t - 2.1) / 0.2;
    if (t < 3.3) return 22 - 18 * (t - 2.3);
    if (t < 5) return 0.0;
    const double s = std::sin(std::numbers::pi * (t - 5) / 4);
    return 1 + 10 * s * s;
  };
  ExpectOneCompetentSqueeze(Make(v, 9.4), 3.3, 0.05);
}

// The part of a respiratory crest above half its peak rises slowly from where the lookback of a
// squeeze on a shelf (0.4 s) starts: the crest was rising before that window, so it is no squeeze
// (the clip has no maneuver).
TEST(MeasureReflux, TheTopOfARespiratoryCrestIsNoSqueezeOnAShelf) {
  auto v = [](double t) { return 8 + 7 * std::sin(2 * std::numbers::pi * t / 3.5); };
  auto m = MeasureReflux(Make(v, 7));
  ASSERT_TRUE(m);
  EXPECT_TRUE(m->maneuvers.empty());
}

// A swell of resting flow under way when the recording starts (15 cm/s, falling to 0 over 2 s),
// its falling flank broken at 1 s by a 150 ms dip to 2.5 cm/s (speckle, few scatterers): the flow
// after the dip rises fast from it, but the flow before the dip was higher than all of it. That
// is a flank, not a squeeze rising from rest (no maneuver: no_augmentation, not a competent
// maneuver without reflux).
TEST(MeasureReflux, AFlankBrokenByADipIsNoSqueeze) {
  auto v = [](double t) {
    if (t > 1.0 && t < 1.15) return 2.5;
    return t < 0.5 ? 15.0 : std::max(0.0, 15.0 * (1 - (t - 0.5) / 2.0));
  };
  auto m = MeasureReflux(Make(v, 5));
  ASSERT_TRUE(m);
  EXPECT_TRUE(m->maneuvers.empty());
}

TEST(MeasureReflux, TwoManeuversReportEachAndTheLongestIsDecisive) {
  auto m = MeasureReflux(
      Make([](double t) { return Maneuver(t, 0.5, 0.4) + Maneuver(t, 2.6, 1.2); }, 5));
  ASSERT_TRUE(m);
  ASSERT_EQ(m->maneuvers.size(), 2u);
  EXPECT_NEAR(m->maneuvers[0].reflux_duration_ms, 400, 10);
  EXPECT_NEAR(m->maneuvers[1].reflux_duration_ms, 1200, 10);
  EXPECT_EQ(m->decisive, 1u);
  EXPECT_NE(std::find(m->flags.begin(), m->flags.end(), "multiple_maneuvers"), m->flags.end());
}

TEST(MeasureReflux, RefluxIsSearchedOnlyBeforeTheNextAugmentation) {
  // The first squeeze has no reflux; the retrograde flow belongs to the second one.
  auto m = MeasureReflux(
      Make([](double t) { return RaisedCosine(t, 0.5, 0.6, 45) + Maneuver(t, 2.0, 0.7); }, 4));
  ASSERT_TRUE(m);
  ASSERT_EQ(m->maneuvers.size(), 2u);
  EXPECT_FALSE(m->maneuvers[0].has_reflux);
  EXPECT_NEAR(m->maneuvers[1].reflux_duration_ms, 700, 10);
}

// Bursts closer than the minimum gap (0.8 s) merge into one squeeze only while the flow goes
// on between them: a dip below the augmentation level that stays above the noise (two
// overlapping bursts) is one squeeze, released at the second's end; flow that stops for 60 ms is a
// release, then a new burst (here one the clip ends during, so the first, complete maneuver
// decides: without the split the release moved to the clip's end, "truncated"); a stop shorter than
// 40 ms is a dip.
TEST(MeasureReflux, BurstsMergeOnlyWhileTheFlowGoesOn) {
  const auto bursts = [](double gap_s) {
    return [gap_s](double t) {
      return RaisedCosine(t, 1, 0.6, 45) + RaisedCosine(t, 1.6 + gap_s, 0.6, 45);
    };
  };
  const auto dip = MeasureReflux(Make(bursts(-0.1), 3.2));  // overlapping: dips to ~6 cm/s
  ASSERT_TRUE(dip);
  ASSERT_EQ(dip->maneuvers.size(), 1u);
  EXPECT_NEAR(dip->maneuvers[0].release_s, 2.1, 0.05);
  const auto stop = MeasureReflux(Make(bursts(0.06), 2.4));
  ASSERT_TRUE(stop);
  ASSERT_EQ(stop->maneuvers.size(), 2u);
  EXPECT_NEAR(stop->maneuvers[0].release_s, 1.6, 0.05);
  EXPECT_FALSE(stop->maneuvers[0].truncated);
  EXPECT_FALSE(stop->maneuvers[0].has_reflux);
  EXPECT_EQ(stop->decisive, 0u);
}

TEST(MeasureReflux, TruncatedWhenTheClipEndsDuringReflux) {
  auto m = MeasureReflux(Make([](double t) { return Maneuver(t, 1, 3.0); }, 3));
  ASSERT_TRUE(m);
  ASSERT_EQ(m->maneuvers.size(), 1u);
  EXPECT_TRUE(m->maneuvers[0].truncated);
  EXPECT_NEAR(m->maneuvers[0].reflux_duration_ms, 1390, 15);  // 1.6 s to the last column
  EXPECT_NE(std::find(m->flags.begin(), m->flags.end(), "truncated"), m->flags.end());
}

TEST(MeasureReflux, InvertedDisplayIsInferredFromTheAugmentation) {
  auto m = MeasureReflux(Make([](double t) { return -Maneuver(t, 1, 0.9); }));
  ASSERT_TRUE(m);
  EXPECT_EQ(m->antegrade, AntegradeDirection::kDown);
  EXPECT_EQ(m->antegrade_source, AntegradeSource::kAugmentation);
  ASSERT_EQ(m->maneuvers.size(), 1u);
  EXPECT_NEAR(m->maneuvers[0].reflux_duration_ms, 900, 10);
}

TEST(MeasureReflux, OverrideForcesTheAntegradeDirection) {
  const Envelope e = Make([](double t) { return Maneuver(t, 1, 0.9); });
  auto m = MeasureReflux(e, RefluxOptions{.antegrade_override = AntegradeDirection::kDown});
  ASSERT_TRUE(m);
  EXPECT_EQ(m->antegrade, AntegradeDirection::kDown);
  EXPECT_EQ(m->antegrade_source, AntegradeSource::kOverride);
  // The "reflux" (negative side) is now the augmentation: 0.9 s burst, and no flow after it.
  ASSERT_EQ(m->maneuvers.size(), 1u);
  EXPECT_FALSE(m->maneuvers[0].has_reflux);
}

// Aliasing at the columns where the reflux starts hides its onset; an unwrapped column a few
// columns inside does not (the flow had already crossed the level there: measured, a reflux
// reaching its scale edge 5 columns before its offset read `aliased`, truth had no aliasing).
TEST(MeasureReflux, AliasedColumnsAtTheRefluxEdgeAreFlagged) {
  Envelope e = Make([](double t) { return Maneuver(t, 1, 0.8); });
  e.flags[160] |= kColumnAliased;  // 1.60 s, where the reflux starts
  auto m = MeasureReflux(e);
  ASSERT_TRUE(m);
  EXPECT_TRUE(m->maneuvers[0].aliased);
  Envelope inside = Make([](double t) { return Maneuver(t, 1, 0.8); });
  inside.flags[163] |= kColumnAliased;  // 30 ms in
  EXPECT_FALSE(MeasureReflux(inside)->maneuvers[0].aliased);
  // Aliasing outside the interval does not flag the maneuver.
  Envelope clean = Make([](double t) { return Maneuver(t, 1, 0.8); });
  clean.flags[50] |= kColumnAliased;
  EXPECT_FALSE(MeasureReflux(clean)->maneuvers[0].aliased);
}

TEST(MeasureReflux, NoiseOnlyMeansNoAugmentation) {
  EnvelopeSpec spec{.noise_velocity = 3, .floor_noise = true};
  auto m = MeasureReflux(MakeEnvelope([](double) { return 0.0; }, spec));
  ASSERT_TRUE(m);
  EXPECT_TRUE(m->maneuvers.empty());
  EXPECT_FALSE(m->decisive);
  EXPECT_NE(std::find(m->flags.begin(), m->flags.end(), "no_augmentation"), m->flags.end());
}

// A brisk squeeze of 0.25 s stays above the augmentation level (30% of its peak) for ~0.13 s;
// bursts that short are maneuvers (the minimum is 0.1 s).
TEST(MeasureReflux, BriskQuarterSecondSqueezeIsAManeuver) {
  auto m = MeasureReflux(Make(
      [](double t) { return RaisedCosine(t, 1.0, 0.25, 20) - Trapezoid(t, 1.3, 0.8, 0.05, 15); }));
  ASSERT_TRUE(m);
  ASSERT_EQ(m->maneuvers.size(), 1u);
  EXPECT_NEAR(m->maneuvers[0].reflux_duration_ms, 800, 40);
}

// Flow without a squeeze on one side, speckle bursts carrying little power on the other: the
// speckle is not an augmentation (a lone burst kPowerDominance x weaker than the other side's
// flow), the side carrying the flow is antegrade (either side), and the clip has no augmentation.
TEST(MeasureReflux, SpeckleBurstsOppositeSteadyFlowAreNoAugmentation) {
  for (const bool flow_up : {true, false}) {
    EnvelopeSpec spec{
        .seconds_per_column = 0.01, .duration_s = 8, .noise_velocity = 0.5, .blur_cols = 1};
    Envelope e = MakeEnvelope(Respiratory, spec);
    for (size_t i = 0; i < e.Size(); ++i) {
      const double t = e.TimeOf(static_cast<double>(i));
      e.max_reverse[i] = static_cast<float>(std::max<double>(
          e.max_reverse[i], RaisedCosine(t, 1.0, 0.3, 6) + RaisedCosine(t, 4.0, 0.3, 6)));
      e.power_forward.push_back(100.0f);
      e.power_reverse.push_back(e.max_reverse[i] > 1 ? 2.0f : 1.0f);
    }
    if (!flow_up) {
      std::swap(e.max_forward, e.max_reverse);
      std::swap(e.power_forward, e.power_reverse);
    }
    const auto m = MeasureReflux(e);
    ASSERT_TRUE(m);
    EXPECT_EQ(m->antegrade, flow_up ? AntegradeDirection::kUp : AntegradeDirection::kDown);
    EXPECT_TRUE(m->maneuvers.empty()) << flow_up;
    EXPECT_NE(std::find(m->flags.begin(), m->flags.end(), "no_augmentation"), m->flags.end());
  }
}

TEST(MeasureReflux, IgnoresShortRetrogradeBlips) {
  // A two-column blip after release is noise, not reflux.
  auto m = MeasureReflux(
      Make([](double t) { return RaisedCosine(t, 1, 0.6, 45) - (t > 1.8 && t < 1.82 ? 20 : 0); }));
  ASSERT_TRUE(m);
  ASSERT_EQ(m->maneuvers.size(), 1u);
  EXPECT_FALSE(m->maneuvers[0].has_reflux);
}

TEST(MeasureReflux, MaskedColumnsInsideRefluxAreBridged) {
  Envelope e = Make([](double t) { return Maneuver(t, 1, 0.8); });
  for (size_t i = 190; i < 196; ++i) {
    e.max_reverse[i] = NAN;
    e.max_forward[i] = NAN;
    e.flags[i] |= kColumnMasked;
  }
  auto m = MeasureReflux(e);
  ASSERT_TRUE(m);
  EXPECT_NEAR(m->maneuvers[0].reflux_duration_ms, 800, 10);
}

TEST(MeasureReflux, SubColumnInterpolationOfALinearRamp) {
  // Retrograde ramp rising 2 cm/s per column from the zero crossing at column 159.8, falling back
  // through zero at column 231.1. The measured level is one velocity step (0.5 cm/s), crossed
  // 0.25 columns inside: at 160.05 (1.6005 s) and 231.15 (2.3115 s), both between two columns
  // on the ramp, so linear interpolation between the columns must find them exactly.
  auto ramp = [](double t) {
    const double col = t / 0.01;
    double retro = std::min({(col - 159.8) * 2.0, 40.0, (231.1 - col) * 2.0});
    return RaisedCosine(t, 1.0, 0.6, 45) - std::max(retro, 0.0);
  };
  auto m = MeasureReflux(Make(ramp));
  ASSERT_TRUE(m);
  ASSERT_TRUE(m->maneuvers.at(0).has_reflux);
  EXPECT_NEAR(m->maneuvers[0].offset_velocity_cm_s, 0.5, 1e-9);
  EXPECT_NEAR(*m->maneuvers[0].reflux_onset_s, 1.6005, 0.001);
  EXPECT_NEAR(*m->maneuvers[0].reflux_offset_s, 2.3085, 0.001);
  EXPECT_NEAR(m->maneuvers[0].reflux_duration_ms, 708, 1);
}

// Weak squeeze columns are a QA finding, not a weak signal: the squeeze was seen, so a reflux of
// the same blood would have been too (a no-reflux clip stays no_reflux). Quiet columns count for
// neither.
TEST(MeasureReflux, WeakAugmentationColumnsAreAFindingNotAWeakSignal) {
  Envelope e = Make([](double t) { return Maneuver(t, 1, 0.3); });
  auto has = [](const RefluxMeasurement& m, std::string_view flag) {
    return std::find(m.flags.begin(), m.flags.end(), flag) != m.flags.end();
  };
  for (size_t i = 0; i < 90; ++i) e.flags[i] |= kColumnWeak;  // quiet before the squeeze
  auto quiet = MeasureReflux(e);
  ASSERT_TRUE(quiet);
  EXPECT_FALSE(has(*quiet, "weak_augmentation"));
  EXPECT_FALSE(has(*quiet, "weak_signal"));
  for (size_t i = 100; i < 160; ++i) e.flags[i] |= kColumnWeak;  // the burst itself
  auto weak = MeasureReflux(e);
  ASSERT_TRUE(weak);
  EXPECT_TRUE(has(*weak, "weak_augmentation"));
  EXPECT_FALSE(has(*weak, "weak_signal"));
  EXPECT_EQ(Classify(*weak, Segment::kGsvSfj, DefaultCriteria()).classification,
            Classification::kNoReflux);
}

TEST(MeasureReflux, WeakSignalIsFlagged) {
  Envelope e = Make([](double t) { return Maneuver(t, 1, 0.3); });
  e.weak_signal = true;
  auto m = MeasureReflux(e);
  ASSERT_TRUE(m);
  EXPECT_NE(std::find(m->flags.begin(), m->flags.end(), "weak_signal"), m->flags.end());
}

// The forward side's power in the power-aware tests: flow (the augmentation) brings power.
float FlowPower(float max_forward_cm_s) { return max_forward_cm_s > 5 ? 30.0f : 1.0f; }

// The spectrogram's time window shows flow before it is there: the max-velocity envelope of a
// reflux that starts at 2.0 s already leaves the noise 2 columns early (a running maximum over
// +-2 columns, as a high-SNR display with a 40 ms window shows it). The side's power is the true
// power step blurred by the same symmetric window, so its half-way point stays at 2.0 s: the onset
// is taken there.
Envelope LeadingEnvelope(bool with_power) {
  const double spc = 0.01, onset_s = 2.0;
  Envelope e = MakeEnvelope([&](double t) { return Maneuver(t, 1.4, 0.8, 25); },
                            EnvelopeSpec{.seconds_per_column = spc, .blur_cols = 1});
  const size_t n = e.Size();
  std::vector<float> dilated(n);
  for (size_t i = 0; i < n; ++i) {
    const size_t lo = i >= 2 ? i - 2 : 0, hi = std::min(n - 1, i + 2);
    dilated[i] = *std::max_element(e.max_reverse.begin() + static_cast<long>(lo),
                                   e.max_reverse.begin() + static_cast<long>(hi) + 1);
  }
  e.max_reverse = dilated;
  if (with_power) {
    std::vector<double> step(n);
    for (size_t i = 0; i < n; ++i) {
      step[i] = e.TimeOf(static_cast<double>(i)) > onset_s && e.TimeOf(static_cast<double>(i)) < 2.8
                    ? 100.0
                    : 0.0;
    }
    const std::vector<double> blurred = testing::HannBlur(step, 5);
    for (size_t i = 0; i < n; ++i) {
      e.power_reverse.push_back(static_cast<float>(1.0 + blurred[i]));
      e.power_forward.push_back(FlowPower(e.max_forward[i]));
    }
  }
  return e;
}

// A reflux beyond a bright band of clutter residue on both sides of the baseline: the band (6
// cm/s, 500 noise units) holds most of each side's power, so the 30 cm/s, 2 s reflux raises
// its side's power only 1.1 x, under the power rise flow must bring over a dark base. The side
// is lit without flow, so the envelope decides: the reflux is found and timed.
TEST(MeasureReflux, ARefluxBeyondABrightClutterBandIsFound) {
  EnvelopeSpec spec{
      .seconds_per_column = 0.01, .duration_s = 5, .noise_velocity = 2, .blur_cols = 3};
  Envelope e = MakeEnvelope([](double t) { return testing::Squeeze(t, 1.0, 2.0, 30); }, spec);
  for (size_t i = 0; i < e.Size(); ++i) {
    const bool reflux = e.max_reverse[i] > 6;
    e.max_forward[i] = std::max(e.max_forward[i], 6.0f);
    e.max_reverse[i] = std::max(e.max_reverse[i], 6.0f);
    e.power_forward.push_back(500.0f + (e.max_forward[i] > 6 ? 50.0f : 0.0f));
    e.power_reverse.push_back(reflux ? 550.0f : 500.0f);
  }
  const auto m = MeasureReflux(e);
  ASSERT_TRUE(m);
  EXPECT_EQ(m->antegrade, AntegradeDirection::kUp);
  ASSERT_EQ(m->maneuvers.size(), 1u);
  ASSERT_TRUE(m->maneuvers[0].has_reflux);
  EXPECT_NEAR(m->maneuvers[0].reflux_duration_ms, 2000, 120);
}

// Tissue clutter residue opposite a squeeze: a narrow band by the baseline (3 cm/s, under the
// weak-squeeze level) carrying 2000 noise units of power, far more than the 40 cm/s squeeze's
// 30. The band is no flow, so the squeeze stays credible and sets the polarity (either side);
// counting the band's power made the squeeze "speckle" and the band's side antegrade.
TEST(MeasureReflux, ClutterBandOppositeASqueezeIsNoFlow) {
  for (const bool squeeze_up : {true, false}) {
    EnvelopeSpec spec{
        .seconds_per_column = 0.01, .duration_s = 6, .noise_velocity = 2, .blur_cols = 3};
    Envelope e = MakeEnvelope([](double t) { return RaisedCosine(t, 1.5, 0.8, 40); }, spec);
    for (size_t i = 0; i < e.Size(); ++i) {
      e.max_reverse[i] = std::max(e.max_reverse[i], 3.0f);
      e.power_forward.push_back(FlowPower(e.max_forward[i]));
      e.power_reverse.push_back(2000.0f);
    }
    if (!squeeze_up) {
      std::swap(e.max_forward, e.max_reverse);
      std::swap(e.power_forward, e.power_reverse);
    }
    const auto m = MeasureReflux(e);
    ASSERT_TRUE(m);
    EXPECT_EQ(m->antegrade, squeeze_up ? AntegradeDirection::kUp : AntegradeDirection::kDown);
    EXPECT_EQ(m->antegrade_source, AntegradeSource::kAugmentation);
    ASSERT_EQ(m->maneuvers.size(), 1u) << squeeze_up;
    EXPECT_FALSE(m->maneuvers[0].has_reflux);
  }
}

TEST(MeasureReflux, OnsetAtTheHalfPowerPointOfTheRetrogradeSide) {
  const auto with_power = MeasureReflux(LeadingEnvelope(true));
  const auto without = MeasureReflux(LeadingEnvelope(false));
  ASSERT_TRUE(with_power && without);
  ASSERT_EQ(with_power->maneuvers.size(), 1u);
  ASSERT_TRUE(with_power->maneuvers[0].reflux_onset_s.has_value());
  EXPECT_NEAR(*with_power->maneuvers[0].reflux_onset_s, 2.0, 0.006);
  // Without the power series, the envelope's level crossing leads by the window's half-width.
  ASSERT_EQ(without->maneuvers.size(), 1u);
  ASSERT_TRUE(without->maneuvers[0].reflux_onset_s.has_value());
  EXPECT_LT(*without->maneuvers[0].reflux_onset_s, 1.985);
}

// A wall thump at the release (bright, slow: 6 cm/s at 80 noise units for 60 ms), a dark gap
// (the envelope still reads 4 cm/s there, the power is the noise's), then the reflux from 2.10 s:
// two events, so the reflux starts after the gap, not at the thump (the level crossing walked
// back through both). Control: the thump's power going on into the reflux is one lit stretch,
// and the onset stays at its start.
TEST(MeasureReflux, ADarkGapAfterAThumpStartsTheRefluxAfterIt) {
  auto onset = [](float gap_power) {
    Envelope e = Make([](double t) {
      const double thump = t >= 2.0 && t < 2.06 ? 6 : (t >= 2.06 && t < 2.10 ? 4 : 0);
      return RaisedCosine(t, 1.4, 0.6, 45) - thump - Trapezoid(t, 2.10, 0.7, 0.06, 25);
    });
    for (size_t i = 0; i < e.Size(); ++i) {
      const double t = e.TimeOf(static_cast<double>(i));
      const bool thump = t >= 2.0 && t < 2.06, gap = t >= 2.06 && t < 2.10;
      e.power_reverse.push_back(thump ? 80.0f
                                      : (gap ? gap_power : (e.max_reverse[i] > 1 ? 100.0f : 1.0f)));
      e.power_forward.push_back(FlowPower(e.max_forward[i]));
    }
    const auto m = MeasureReflux(e);
    EXPECT_TRUE(m && m->maneuvers.size() == 1 && m->maneuvers[0].reflux_onset_s);
    return m && !m->maneuvers.empty() ? m->maneuvers[0].reflux_onset_s.value_or(0) : 0.0;
  };
  EXPECT_NEAR(onset(1.0f), 2.10, 0.015);
  EXPECT_LT(onset(80.0f), 2.03);
}

// A broadband flash (probe motion: both sides lit to their scale edges for 200 ms, appearing and
// going at once) is no squeeze: on a clip with no visible flow it leaves no maneuver; on a clip
// with a squeeze and its reflux it leaves them as they were. Control: a squeeze that wraps past a
// full span reaches both edges too, but from its own side's rise, and stays a squeeze.
TEST(MeasureReflux, ABroadbandFlashIsNoSqueeze) {
  auto with_flash = [](Envelope e, double at_s) {
    for (size_t i = 0; i < e.Size(); ++i) {
      const double t = e.TimeOf(static_cast<double>(i));
      if (t >= at_s && t < at_s + 0.2) e.max_forward[i] = 100, e.max_reverse[i] = 100;
    }
    return e;
  };
  const auto alone = MeasureReflux(with_flash(Make([](double) { return 0.0; }), 1.5));
  ASSERT_TRUE(alone);
  EXPECT_TRUE(alone->maneuvers.empty());
  const auto squeeze = [](double t) { return Maneuver(t, 1.4, 0.8); };
  const auto clean = MeasureReflux(Make(squeeze));
  const auto flashed = MeasureReflux(with_flash(Make(squeeze), 3.3));
  ASSERT_TRUE(clean && flashed);
  ASSERT_EQ(flashed->maneuvers.size(), clean->maneuvers.size());
  ASSERT_EQ(flashed->maneuvers.size(), 1u);
  EXPECT_NEAR(flashed->maneuvers[0].reflux_duration_ms, clean->maneuvers[0].reflux_duration_ms, 1);
  Envelope wrapped = Make([](double t) { return RaisedCosine(t, 1.4, 0.6, 45); });
  for (size_t i = 0; i < wrapped.Size(); ++i) {
    const double t = wrapped.TimeOf(static_cast<double>(i));
    if (t > 1.55 && t < 1.85) wrapped.max_forward[i] = 100, wrapped.max_reverse[i] = 100;
  }
  const auto wrap = MeasureReflux(wrapped);
  ASSERT_TRUE(wrap);
  EXPECT_EQ(wrap->maneuvers.size(), 1u);
}

// A squeeze on resting flow (12 cm/s, both lit at 2.1 noise units: the Doppler power counts
// scatterers, not their speed) and its reflux at 2.0 units on a quiet side: the squeeze is the
// first burst and sets the polarity, though it adds no power over the flow.
TEST(MeasureReflux, ASqueezeOnRestingFlowThatAddsNoPowerIsStillTheSqueeze) {
  Envelope e = Make([](double t) {
    const double rest = t < 1.4 || t > 3.0 ? 12.0 : 0.0;
    return std::max(rest, RaisedCosine(t, 1.4, 0.6, 45)) - Trapezoid(t, 2.0, 0.8, 0.06, 25);
  });
  for (size_t i = 0; i < e.Size(); ++i) {
    e.power_forward.push_back(e.max_forward[i] > 5 ? 2.1f : 1.0f);
    e.power_reverse.push_back(e.max_reverse[i] > 5 ? 2.0f : 1.0f);
  }
  ExpectFirstReflux(e, AntegradeDirection::kUp, 0, 800);
}

// A flow that ramps up from zero raises the side's power gradually (a wall filter hides its slow
// start): here the power climbs for 0.5 s after the reflux began at 2.0 s, so its half-power
// point lies 0.25 s inside the reflux. The onset moves past the envelope's level crossing by at
// most a window's lead (20 ms + 1 column), not to that point.
TEST(MeasureReflux, GradualPowerRiseMovesTheOnsetByAtMostTheWindowLead) {
  Envelope e = Make([](double t) { return Maneuver(t, 1.4, 0.8); });
  for (size_t i = 0; i < e.Size(); ++i) {
    const double t = e.TimeOf(static_cast<double>(i));
    const double ramp = t < 2.0 || t > 2.8 ? 0.0 : std::min(1.0, (t - 2.0) / 0.5);
    e.power_reverse.push_back(static_cast<float>(1.0 + 100.0 * ramp));
    e.power_forward.push_back(FlowPower(e.max_forward[i]));
  }
  const auto m = MeasureReflux(e);
  ASSERT_TRUE(m);
  ASSERT_EQ(m->maneuvers.size(), 1u);
  ASSERT_TRUE(m->maneuvers[0].reflux_onset_s.has_value());
  EXPECT_GT(*m->maneuvers[0].reflux_onset_s, 1.99);
  EXPECT_LT(*m->maneuvers[0].reflux_onset_s, 2.0 + 0.02 + 0.01 + 0.005);
}

// A retrograde envelope run that the side's power does not follow is not flow (speckle near
// the baseline reads as a low "velocity" without bringing power); the same run with the power
// of flow is reflux.
TEST(MeasureReflux, RetrogradeRunWithoutItsPowerIsNotReflux) {
  auto make = [](double power_during_run) {
    Envelope e = Make([](double t) { return Maneuver(t, 1.0, 0.7, 8); });
    for (size_t i = 0; i < e.Size(); ++i) {
      const double t = e.TimeOf(static_cast<double>(i));
      const bool run = t > 1.6 && t < 2.3;
      e.power_reverse.push_back(static_cast<float>(run ? power_during_run : 1.0));
      e.power_forward.push_back(FlowPower(e.max_forward[i]));
    }
    return MeasureReflux(e);
  };
  const auto without_power = make(1.05);
  const auto with_power = make(50.0);
  ASSERT_TRUE(without_power && with_power);
  ASSERT_EQ(without_power->maneuvers.size(), 1u);
  ASSERT_EQ(with_power->maneuvers.size(), 1u);
  EXPECT_FALSE(without_power->maneuvers[0].has_reflux);
  EXPECT_TRUE(with_power->maneuvers[0].has_reflux);
  EXPECT_NEAR(with_power->maneuvers[0].reflux_duration_ms, 700, 20);
}

// After the release a slow antegrade flow's spectrum spreads across the baseline: the
// retrograde side reads a few cm/s while the antegrade side reads more. That is not reflux; a
// retrograde run as fast as its antegrade side or faster is (the rule compares the medians).
TEST(MeasureReflux, SpectrumSpreadAcrossTheBaselineIsNotReflux) {
  auto make = [](float antegrade_cm_s, float retrograde_cm_s) {
    Envelope e = Make([](double t) { return RaisedCosine(t, 1, 0.6, 45); });
    for (size_t i = 0; i < e.Size(); ++i) {
      const double t = e.TimeOf(static_cast<double>(i));
      if (t > 1.62 && t < 2.3)
        e.max_forward[i] = antegrade_cm_s, e.max_reverse[i] = retrograde_cm_s;
    }
    return MeasureReflux(e);
  };
  const auto spread = make(7, 6);
  const auto reflux = make(2, 8);
  const auto as_fast = make(8, 8);
  ASSERT_TRUE(spread && reflux && as_fast);
  ASSERT_EQ(spread->maneuvers.size(), 1u);
  ASSERT_EQ(reflux->maneuvers.size(), 1u);
  ASSERT_EQ(as_fast->maneuvers.size(), 1u);
  EXPECT_FALSE(spread->maneuvers[0].has_reflux);
  EXPECT_TRUE(reflux->maneuvers[0].has_reflux);
  EXPECT_TRUE(as_fast->maneuvers[0].has_reflux);
  EXPECT_NEAR(reflux->maneuvers[0].reflux_duration_ms, 680, 20);
}

// "No reflux" needs time after the release to show: a clip ending 0.1 s after it is truncated,
// one with 1 s of silence is not; a reflux run reaching the clip's end is truncated.
TEST(MeasureReflux, ClipEndingSoonAfterReleaseIsTruncated) {
  const auto burst = [](double t) { return RaisedCosine(t, 1, 0.6, 45); };
  const auto short_clip = MeasureReflux(Make(burst, 1.7));
  const auto long_clip = MeasureReflux(Make(burst, 2.6));
  ASSERT_TRUE(short_clip && long_clip);
  ASSERT_EQ(short_clip->maneuvers.size(), 1u);
  ASSERT_EQ(long_clip->maneuvers.size(), 1u);
  EXPECT_TRUE(short_clip->maneuvers[0].truncated);
  EXPECT_FALSE(long_clip->maneuvers[0].truncated);
  const auto cut = MeasureReflux(Make([](double t) { return Maneuver(t, 1, 2.0, 25); }, 2.5));
  ASSERT_TRUE(cut);
  ASSERT_EQ(cut->maneuvers.size(), 1u);
  EXPECT_TRUE(cut->maneuvers[0].truncated);
  EXPECT_NEAR(cut->maneuvers[0].reflux_duration_ms, 890, 20);
}

// A burst still rising or high when the data ends, without reflux, is no maneuver: its fall is
// not in the clip (a squeeze or a swell of phasic flow cannot be told apart, and no reflux could
// be tested after it). One that has fallen keeps its maneuver (truncated, above).
TEST(MeasureReflux, BurstRunningToTheEndIsNoManeuver) {
  // A complete squeeze, then a second one cut by the end of the data at its peak.
  const auto two = MeasureReflux(Make(
      [](double t) { return RaisedCosine(t, 1, 0.6, 45) + RaisedCosine(t, 3.4, 1.2, 40); }, 4.0));
  ASSERT_TRUE(two);
  ASSERT_EQ(two->maneuvers.size(), 1u);
  EXPECT_NEAR(two->maneuvers[0].release_s, 1.6, 0.1);
  EXPECT_FALSE(two->maneuvers[0].truncated);
  // Only the cut one: no augmentation seen.
  const auto cut = MeasureReflux(Make([](double t) { return RaisedCosine(t, 3.4, 1.2, 40); }, 4.0));
  ASSERT_TRUE(cut);
  EXPECT_TRUE(cut->maneuvers.empty());
}

// A squeeze after quiet flow whose dip before it reads 2.8 cm/s, not zero (above 20% of the
// 12.5 cm/s plateau, which the former rule wanted the trace to fall to), followed by a long
// reflux twice as fast as the squeeze: still the augmentation, so the polarity is right.
TEST(MeasureReflux, SqueezeRisingFromAShallowDipIsTheAugmentation) {
  auto v = [](double t) {
    const double quiet = t < 0.8 ? 6.0 : (t < 1.25 ? 2.8 : (t > 6.0 ? 6.0 : 0.0));
    return quiet + RaisedCosine(t, 1.0, 1.2, 13) - Trapezoid(t, 2.25, 3.0, 0.1, 28);
  };
  EnvelopeSpec spec{.seconds_per_column = 0.0075, .duration_s = 7, .noise_velocity = 1.2};
  spec.floor_noise = true;
  const auto m = MeasureReflux(MakeEnvelope(v, spec));
  ASSERT_TRUE(m);
  EXPECT_EQ(m->antegrade, AntegradeDirection::kUp);
  ASSERT_FALSE(m->maneuvers.empty());
  EXPECT_NEAR(m->maneuvers[0].reflux_duration_ms, 3000, 60);
}

// Envelope speckle on weak respiratory flow (+-30% per column) must not make a 1 s rise look
// like a squeeze's. Over 60 noise draws: 6 false maneuvers with the 80 ms shape smoothing, 33
// without it (a bound, not zero: the smoothing does not remove every one).
TEST(MeasureReflux, SpeckledRespiratoryFlowIsRarelyAnAugmentation) {
  EnvelopeSpec spec{.seconds_per_column = 0.009, .duration_s = 8, .noise_velocity = 1.2};
  spec.jitter_cm_s = 0.6;
  spec.floor_noise = true;
  int false_maneuvers = 0;
  for (unsigned seed = 1; seed <= 60; ++seed) {
    spec.seed = seed;
    const auto m = MeasureReflux(
        MakeEnvelope([](double t) { return 2 * (1 + 0.9 * std::sin(t * 1.4)); }, spec));
    ASSERT_TRUE(m);
    false_maneuvers += m->maneuvers.empty() ? 0 : 1;
  }
  EXPECT_LE(false_maneuvers, 10);
}

// Phasic flow with slow crests to 12 cm/s every 4 s, and a fast burst rising from a trough: as tall
// as the crests it is one of them (the vein's own flow, no squeeze: no augmentation seen, not a
// competent vein); twice as tall it multiplies the flow and is the augmentation.
TEST(MeasureReflux, ABurstNoTallerThanThePhasicCrestsIsNoAugmentation) {
  const auto measure = [](double burst_cm_s) {
    auto v = [burst_cm_s](double t) {
      return 1 + 5.5 * (1 - std::cos(2 * std::numbers::pi * t / 4)) +
             RaisedCosine(t, 3.7, 0.5, burst_cm_s);
    };
    EnvelopeSpec spec{.seconds_per_column = 0.01, .duration_s = 8, .noise_velocity = 0.8};
    spec.floor_noise = true;
    return MeasureReflux(MakeEnvelope(v, spec));
  };
  const auto crest = measure(11);
  ASSERT_TRUE(crest);
  EXPECT_TRUE(crest->maneuvers.empty());
  const auto squeeze = measure(25);
  ASSERT_TRUE(squeeze);
  ASSERT_EQ(squeeze->maneuvers.size(), 1u);
  EXPECT_NEAR(squeeze->maneuvers[0].release_s, 4.2, 0.1);
  EXPECT_FALSE(squeeze->maneuvers[0].has_reflux);
}

// Masked columns at the start of the data (a left margin, scale labels) are the start of the
// recording, not an erase bar hiding a squeeze's rise: flow high from the first data column dips
// (to 3 cm/s: below the augmentation level, above 20% of what follows) and rises slowly again;
// walking back from that rise must stop at the first data column, where no benefit of the
// doubt applies.
TEST(MeasureReflux, MaskedColumnsBeforeTheFirstDataColumnHideNoRise) {
  auto v = [](double t) {
    if (t < 0.4) return 8.0;
    if (t < 0.5) return 3.0;
    return 3.0 + 9.0 * std::min(1.0, (t - 0.5) / 1.0);  // 1 s respiratory-like rise to 12
  };
  Envelope e = MakeEnvelope(
      v, EnvelopeSpec{
             .seconds_per_column = 0.01, .duration_s = 4, .noise_velocity = 0.5, .blur_cols = 1});
  for (size_t c = 0; c < 15; ++c) {
    e.flags[c] = kColumnMasked;
    e.max_forward[c] = e.max_reverse[c] = NAN;
  }
  const auto m = MeasureReflux(e);
  ASSERT_TRUE(m);
  EXPECT_TRUE(m->maneuvers.empty());
}

// The antegrade flow still falling when the data ends (release at 2.4 s, the data ends 50 ms
// later) over quiet flow that keeps the trace above its noise: too little was seen after the
// release to call the vein competent. (Measured from where the trace crossed the augmentation
// level, 2.14 s, the release looked 0.3 s old.)
TEST(MeasureReflux, FallStillGoingOnAtTheEndOfTheDataIsTruncated) {
  auto v = [](double t) { return RaisedCosine(t, 1.0, 1.4, 60) + (t > 1.0 ? 2.5 : 0.0); };
  EnvelopeSpec spec{.seconds_per_column = 0.0055, .duration_s = 2.45, .noise_velocity = 1};
  spec.floor_noise = true;
  const auto m = MeasureReflux(MakeEnvelope(v, spec));
  ASSERT_TRUE(m);
  ASSERT_EQ(m->maneuvers.size(), 1u);
  EXPECT_TRUE(m->maneuvers[0].truncated);
}

// A squeeze faster than the scale (71 cm/s on a +42 / -28 cm/s display) wraps onto the
// retrograde side and fills it from its edge to the baseline, which the envelope cannot flag
// (the wrap is attached to the baseline). Those columns are no retrograde noise: the 23 cm/s
// reflux after the release is measured. `squeeze_top_cm_s` and `wrap_cm_s`: what the envelopes
// read where the squeeze passes its scale.
void ExpectAWrapIsNoNoise(float squeeze_top_cm_s, float wrap_cm_s) {
  auto v = [](double t) {
    return RaisedCosine(t, 1.0, 0.6, 71) - Trapezoid(t, 1.65, 0.95, 0.08, 23);
  };
  Envelope e = MakeEnvelope(
      v, EnvelopeSpec{
             .seconds_per_column = 0.0116, .duration_s = 4, .noise_velocity = 1, .blur_cols = 1});
  e.positive_limit = 42.3;
  e.negative_limit = -28.4;
  for (size_t c = 0; c < e.Size(); ++c) {
    if (e.max_forward[c] > squeeze_top_cm_s) {
      e.max_forward[c] = squeeze_top_cm_s;
      e.max_reverse[c] = wrap_cm_s;  // the wrap, from the bottom edge to the baseline
    }
  }
  ExpectFirstReflux(e, AntegradeDirection::kUp, 1, 950);
}

TEST(MeasureReflux, AWrapFillingTheRetrogradeSideIsNoNoise) { ExpectAWrapIsNoNoise(42.3f, 28.4f); }

// The same when the squeeze's envelope stops short of its scale (a label or margin over the top
// rows: 40.3 of 42.3 cm/s, 4 rows of 0.5 cm/s) while its wrap reaches the retrograde edge: both
// sides at their edges at once are a wrap, not flow beside the squeeze (stop 25, a sixth
// independent renderer).
TEST(MeasureReflux, AWrapBesideASqueezeShortOfItsEdgeIsNoNoise) {
  ExpectAWrapIsNoNoise(40.3f, 28.0f);
}

// Quiet flow resuming after a squeeze with a short dip 1.8 s later: the dip is no release (the
// fall is looked for within 0.5 s of the burst), so a clip ending 0.2 s after the dip is not cut
// short.
TEST(MeasureReflux, ALateDipOfTheQuietFlowIsNoRelease) {
  auto v = [](double t) {
    return RaisedCosine(t, 1.0, 0.6, 45) + ((t > 3.45 && t < 3.55) ? 3.0 : 10.0);
  };
  EnvelopeSpec spec{.seconds_per_column = 0.01, .duration_s = 3.7, .noise_velocity = 1};
  spec.floor_noise = true;
  const auto m = MeasureReflux(MakeEnvelope(v, spec));
  ASSERT_TRUE(m);
  ASSERT_EQ(m->maneuvers.size(), 1u);
  EXPECT_FALSE(m->maneuvers[0].truncated);
  EXPECT_LT(m->maneuvers[0].release_s, 2.2);
}

// A slow reflux barely above a high noise envelope (9 cm/s over noise reading up to 6 cm/s) is
// not told from speckle by its velocity; its power, 50 x the side's no-flow level, tells it.
TEST(MeasureReflux, OverwhelmingPowerConfirmsASlowReflux) {
  auto make = [](bool with_power) {
    Envelope e =
        MakeEnvelope([](double t) { return Maneuver(t, 1.0, 0.8, 9); },
                     EnvelopeSpec{.noise_velocity = 6, .floor_noise = true, .blur_cols = 1});
    if (with_power) {
      for (size_t i = 0; i < e.Size(); ++i) {
        const double t = e.TimeOf(static_cast<double>(i));
        e.power_reverse.push_back(t > 1.6 && t < 2.4 ? 50.0f : 1.0f);
        e.power_forward.push_back(FlowPower(e.max_forward[i]));
      }
    }
    return MeasureReflux(e);
  };
  const auto velocity_only = make(false);
  const auto with_power = make(true);
  ASSERT_TRUE(velocity_only && with_power);
  ASSERT_EQ(velocity_only->maneuvers.size(), 1u);
  ASSERT_EQ(with_power->maneuvers.size(), 1u);
  EXPECT_FALSE(velocity_only->maneuvers[0].has_reflux);
  EXPECT_TRUE(with_power->maneuvers[0].has_reflux);
}

// The envelope of a strong burst fades for a few columns (Rayleigh speckle): fades of 30 ms do
// not split it into pieces too short to count, so an inverted clip (antegrade down) whose other
// side holds a long low noise run still gets its polarity from the burst.
TEST(MeasureReflux, BurstWithSpeckleFadesSetsThePolarity) {
  Envelope e = Make([](double t) { return -Maneuver(t, 1.0, 0.8, 20); });
  for (size_t i = 0; i < e.Size(); ++i) {
    const double t = e.TimeOf(static_cast<double>(i));
    if (t > 1.0 && t < 1.6 && static_cast<int>(t * 100) % 10 < 3) e.max_reverse[i] = 2;  // fades
    if (t > 2.9 && t < 3.9) e.max_forward[i] = std::max(e.max_forward[i], 3.0f);  // noise run
  }
  const auto m = MeasureReflux(e);
  ASSERT_TRUE(m);
  EXPECT_EQ(m->antegrade, AntegradeDirection::kDown);
  ASSERT_EQ(m->maneuvers.size(), 1u);
  EXPECT_TRUE(m->maneuvers[0].has_reflux);
  EXPECT_NEAR(m->maneuvers[0].reflux_duration_ms, 800, 30);
}

// A squeeze brings its power into its side; a long run of speckle on the other side, even one
// that rises early, does not: the polarity comes from the burst that carries power.
TEST(MeasureReflux, PolarityFromTheBurstThatBringsPower) {
  Envelope e = Make([](double t) { return -Maneuver(t, 1.5, 0.8, 20); });
  for (size_t i = 0; i < e.Size(); ++i) {
    const double t = e.TimeOf(static_cast<double>(i));
    // Speckle on the up side rising like a burst at 0.5 s, ahead of the true one at 1.5 s.
    if (t > 0.5 && t < 1.2) e.max_forward[i] = static_cast<float>(RaisedCosine(t, 0.5, 0.7, 25));
    e.power_forward.push_back(1.0f);
    e.power_reverse.push_back(e.max_reverse[i] > 5 ? 30.0f : 1.0f);
  }
  const auto m = MeasureReflux(e);
  ASSERT_TRUE(m);
  EXPECT_EQ(m->antegrade, AntegradeDirection::kDown);
}

// An aliased burst wraps onto the retrograde side, so the level taken from the bursts is as
// high as the reflux; the reflux's overwhelming power still marks it as flow, and it is found.
TEST(MeasureReflux, RefluxFoundWhenTheBurstsRaiseTheRetrogradeLevel) {
  Envelope e = Make([](double t) { return Maneuver(t, 1.0, 1.8, 20); }, 4.5);
  for (size_t i = 0; i < e.Size(); ++i) {
    const double t = e.TimeOf(static_cast<double>(i));
    const bool burst = t > 1.0 && t<1.6, reflux = t> 1.6 && t < 3.4;
    if (t > 1.2 && t < 1.45) e.max_reverse[i] = 24;  // the burst's peak, wrapped
    e.power_forward.push_back(burst ? 30.0f : 1.0f);
    e.power_reverse.push_back(reflux ? 100.0f : 1.0f);
  }
  const auto m = MeasureReflux(e);
  ASSERT_TRUE(m);
  ASSERT_EQ(m->maneuvers.size(), 1u);
  EXPECT_TRUE(m->maneuvers[0].has_reflux);
  EXPECT_NEAR(m->maneuvers[0].reflux_duration_ms, 1800, 60);
}

// In a vein with steady antegrade flow the squeeze adds speed but little power to a side the
// flow already fills (95 against 80 noise units), while the reflux brings its power into an
// empty side. The squeeze still sets the polarity: its power is far above the noise.
TEST(MeasureReflux, PolarityFromASqueezeInSteadyAntegradeFlow) {
  Envelope e = Make([](double t) {
    const bool quiet = t < 0.9 || t > 2.4;
    return (quiet ? 6.0 : 0.0) + RaisedCosine(t, 1.0, 0.7, 14) - Trapezoid(t, 1.75, 0.3, 0.03, 10);
  });
  for (size_t i = 0; i < e.Size(); ++i) {
    e.power_forward.push_back(e.max_forward[i] > 4 ? (e.max_forward[i] > 7 ? 95.0f : 80.0f) : 1.0f);
    e.power_reverse.push_back(e.max_reverse[i] > 4 ? 120.0f : 1.0f);
  }
  const auto m = MeasureReflux(e);
  ASSERT_TRUE(m);
  EXPECT_EQ(m->antegrade, AntegradeDirection::kUp);
  ASSERT_EQ(m->maneuvers.size(), 1u);
  EXPECT_TRUE(m->maneuvers[0].has_reflux);
  EXPECT_NEAR(m->maneuvers[0].reflux_duration_ms, 300, 40);  // not the quiet flow to the end
}

// Power series of flow: 100 noise units wherever a side's envelope is above 4 cm/s, else 1.
void AddFlowPower(Envelope& e) {
  for (size_t i = 0; i < e.Size(); ++i) {
    e.power_forward.push_back(e.max_forward[i] > 4 ? 100.0f : 1.0f);
    e.power_reverse.push_back(e.max_reverse[i] > 4 ? 100.0f : 1.0f);
  }
}

// The augmentation level follows the clip's strongest squeeze, so a weak first squeeze (13 cm/s
// before a 68 cm/s one) stays below it while the 50 cm/s reflux it provokes does not. The reflux
// still follows a squeeze on the other side: that squeeze sets the polarity, and it is a
// maneuver of its own because it provoked reflux.
TEST(MeasureReflux, WeakFirstSqueezeSetsThePolarityAndIsMeasured) {
  Envelope e = Make(
      [](double t) {
        return RaisedCosine(t, 0.5, 0.7, 13) - Trapezoid(t, 1.25, 0.6, 0.05, 50) +
               RaisedCosine(t, 2.6, 0.6, 68) - Trapezoid(t, 3.25, 0.35, 0.05, 40);
      },
      5);
  AddFlowPower(e);
  const auto m = MeasureReflux(e);
  ASSERT_TRUE(m);
  EXPECT_EQ(m->antegrade, AntegradeDirection::kUp);
  ASSERT_EQ(m->maneuvers.size(), 2u);
  EXPECT_NEAR(m->maneuvers[0].reflux_duration_ms, 600, 40);
  EXPECT_NEAR(m->maneuvers[1].reflux_duration_ms, 350, 40);
}

// A held compression empties the calf: the squeeze's flow peaks and fades before the release,
// and the reflux it provokes rises slowly. Timed where the squeeze crossed the weak-squeeze level
// (1.04 s), it would end 0.67 s before its reflux crossed the augmentation level (1.72 s), too
// long before to have provoked it, and the reflux would set the polarity; its flow ends where it
// falls to the noise (1.29 s). Antegrade flow resumes after the reflux, so the strain order of a
// Valsalva maneuver does not apply.
TEST(MeasureReflux, AWeakSqueezeFadingBeforeItsReleaseSetsThePolarity) {
  Envelope e = MakeEnvelope(
      [](double t) {
        double squeeze = 0;
        if (t >= 0.85 && t < 0.95) squeeze = 22 * (t - 0.85) / 0.1;
        if (t >= 0.95 && t < 1.45) squeeze = 22 * std::exp(-(t - 0.95) / 0.35);
        const double resumed = t > 3.7 ? 14.0 : 0.0;  // antegrade flow resumes: no Valsalva
        return squeeze + resumed - Trapezoid(t, 1.5, 2.0, 0.3, 35);
      },
      EnvelopeSpec{
          .seconds_per_column = 0.01, .duration_s = 4.5, .noise_velocity = 8.4, .blur_cols = 1});
  AddFlowPower(e);
  const auto m = MeasureReflux(e);
  ASSERT_TRUE(m);
  EXPECT_EQ(m->antegrade, AntegradeDirection::kUp);
  ASSERT_FALSE(m->maneuvers.empty());
  EXPECT_NEAR(m->maneuvers[m->decisive.value_or(0)].reflux_duration_ms, 2000, 60);
}

// A weak squeeze's own reflux, too slow for its side's augmentation level, ends shortly before
// the strong squeeze: it looks like a weak squeeze of the other side, but it follows a weak
// squeeze of the antegrade side, so it is that squeeze's reflux and the polarity stays.
TEST(MeasureReflux, AWeakSqueezesRefluxIsNotASqueeze) {
  Envelope e = Make([](double t) {
    return RaisedCosine(t, 0.5, 0.7, 13) - Trapezoid(t, 1.25, 1.2, 0.05, 8) +
           RaisedCosine(t, 2.75, 0.6, 68);
  });
  AddFlowPower(e);
  const auto m = MeasureReflux(e);
  ASSERT_TRUE(m);
  EXPECT_EQ(m->antegrade, AntegradeDirection::kUp);
}

// The weak-squeeze test runs at half the augmentation level, where speckle rises like a burst
// too (here 11.5 cm/s under the 12 cm/s level of the retrograde side, just before the squeeze);
// a squeeze carries power comparable to the burst it would explain, speckle does not.
TEST(MeasureReflux, SpeckleBeforeTheSqueezeDoesNotSetThePolarity) {
  Envelope e = Make([](double t) {
    return -RaisedCosine(t, 0.6, 0.6, 11.5) + RaisedCosine(t, 1.3, 1.0, 60) -
           Trapezoid(t, 2.4, 0.4, 0.05, 40);
  });
  for (size_t i = 0; i < e.Size(); ++i) {
    const double t = e.TimeOf(static_cast<double>(i));
    e.power_forward.push_back(e.max_forward[i] > 4 ? 500.0f : 1.0f);
    e.power_reverse.push_back(e.max_reverse[i] > 4 ? (t < 1.3 ? 4.0f : 500.0f) : 1.0f);
  }
  const auto m = MeasureReflux(e);
  ASSERT_TRUE(m);
  EXPECT_EQ(m->antegrade, AntegradeDirection::kUp);
}

// Spill onto the other side can rise early and carry some power (3 x its side's level), but a
// squeeze carries far more (100 x): the first burst 10 dB weaker than the other side's is not
// the augmentation.
TEST(MeasureReflux, PolarityIgnoresAFarWeakerEarlierBurst) {
  Envelope e = Make([](double t) { return -Maneuver(t, 1.5, 0.8, 20); });
  for (size_t i = 0; i < e.Size(); ++i) {
    const double t = e.TimeOf(static_cast<double>(i));
    const bool spill = t > 0.5 && t < 1.2;
    if (spill) e.max_forward[i] = static_cast<float>(RaisedCosine(t, 0.5, 0.7, 25));
    e.power_forward.push_back(spill ? 3.0f : 1.0f);
    e.power_reverse.push_back(e.max_reverse[i] > 5 ? 100.0f : 1.0f);
  }
  const auto m = MeasureReflux(e);
  ASSERT_TRUE(m);
  EXPECT_EQ(m->antegrade, AntegradeDirection::kDown);
}

// A wall thump at compression lights the other side of the baseline briefly, around the
// squeeze's start: a first burst, but brief, slow and loud (tissue reflects 10-25 dB more than
// blood). `thump_start_s`/`thump_s`: the thump's raised cosine (20 cm/s) on the up side; the
// squeeze (85 cm/s, down; the scale is 100) starts at 1.0 s; side power: 300 in the thump, 30 in
// flow, else 1.
Envelope ThumpAndSqueeze(double thump_start_s, double thump_s, double squeeze_cm_s = 85) {
  Envelope e = Make([&](double t) { return -RaisedCosine(t, 1.0, 0.6, squeeze_cm_s); });
  for (size_t i = 0; i < e.Size(); ++i) {
    const double t = e.TimeOf(static_cast<double>(i));
    e.max_forward[i] = static_cast<float>(RaisedCosine(t, thump_start_s, thump_s, 20));
    e.power_forward.push_back(e.max_forward[i] > 1 ? 300.0f : 1.0f);
    e.power_reverse.push_back(FlowPower(e.max_reverse[i]));
  }
  return e;
}

// Overlapping the squeeze's run for most of its own: one event on both sides (SameEvent; the
// thump is also lower than the squeeze over its run: HigherThanOther).
TEST(MeasureReflux, AThumpOverlappingTheSqueezeDoesNotSetThePolarity) {
  const auto m = MeasureReflux(ThumpAndSqueeze(1.02, 0.24));
  ASSERT_TRUE(m);
  EXPECT_EQ(m->antegrade, AntegradeDirection::kDown);
  ASSERT_EQ(m->maneuvers.size(), 1u);
  EXPECT_FALSE(m->maneuvers[0].has_reflux);
}

// Ending before the squeeze's flow crosses its level: brief, just before a burst many times
// faster, and louder than it (IsThump).
TEST(MeasureReflux, AThumpJustBeforeTheSqueezeDoesNotSetThePolarity) {
  const auto m = MeasureReflux(ThumpAndSqueeze(0.9, 0.2));
  ASSERT_TRUE(m);
  EXPECT_EQ(m->antegrade, AntegradeDirection::kDown);
}

// The same before a squeeze reaching 95% of its scale (it may wrap): a thump ends before the
// squeeze's own side crosses its level, where no wrap can be yet, so the test still applies
// (stop 21: a 3.8 cm/s, 150 ms thump before a 41 cm/s squeeze at its scale's edge set the
// polarity on the physics renderer).
TEST(MeasureReflux, AThumpBeforeASqueezeAtItsScaleEdgeDoesNotSetThePolarity) {
  const auto m = MeasureReflux(ThumpAndSqueeze(0.9, 0.2, 95));
  ASSERT_TRUE(m);
  EXPECT_EQ(m->antegrade, AntegradeDirection::kDown);
}

// A thump 20 dB or more over the squeeze's flow is tissue however little slower it reads: its
// click can light most of the column (seventh independent renderer: a 137 ms, 15 cm/s thump at 530
// x the power of a dim 32 cm/s cuff squeeze, which then read as an 822 ms reflux).
// Side powers of a hand-made envelope: `up_power` / `down_power` noise units where that side
// reads over 1 cm/s, else 1.
Envelope WithSidePowers(Envelope e, float up_power, float down_power) {
  for (size_t i = 0; i < e.Size(); ++i) {
    e.power_forward.push_back(e.max_forward[i] > 1 ? up_power : 1.0f);
    e.power_reverse.push_back(e.max_reverse[i] > 1 ? down_power : 1.0f);
  }
  return e;
}

TEST(MeasureReflux, AThumpFarLouderThanTheSqueezeNeedNotBeFourTimesSlower) {
  const auto m = MeasureReflux(WithSidePowers(Make([](double t) {
                                                return Trapezoid(t, 0.9, 0.14, 0.01, 15) -
                                                       RaisedCosine(t, 1.0, 0.6, 32);
                                              }),
                                              2000, 4));
  ASSERT_TRUE(m);
  EXPECT_EQ(m->antegrade, AntegradeDirection::kDown);
  ASSERT_EQ(m->maneuvers.size(), 1u);
  EXPECT_FALSE(m->maneuvers[0].has_reflux);
}

// A valve's closure right after the release: a brief, slow retrograde blip that carries far more
// power than the squeeze (a release thump with it). The order, not the power, says which side is
// antegrade (ReleaseBlip; fourteenth renderer: a 10 cm/s blip at 86 x a 52 cm/s squeeze's power
// read as the squeeze and the squeeze as a 2.5 s reflux).
TEST(MeasureReflux, AValveClosureBlipAfterTheReleaseIsNoSqueezeHoweverLoud) {
  const auto m = MeasureReflux(WithSidePowers(Make([](double t) {
                                                return RaisedCosine(t, 1.0, 0.6, 52) -
                                                       Trapezoid(t, 1.62, 0.18, 0.04, 10);
                                              }),
                                              40, 600));
  ASSERT_TRUE(m);
  EXPECT_EQ(m->antegrade, AntegradeDirection::kUp);
  ASSERT_EQ(m->maneuvers.size(), 1u);
  EXPECT_LT(m->maneuvers[0].reflux_duration_ms, 250);
}

// ... but a brief loud squeeze before a long dim reflux stays the squeeze: faster than its reflux
// (30 against 25 cm/s), or, slower (20 cm/s), not 100 x the reflux's power floored at 10 noise
// units (review of stop 27: 300 against 2 units read the reflux as the squeeze).
TEST(MeasureReflux, ABriefLoudSqueezeBeforeADimRefluxIsNoThump) {
  for (double squeeze_cm_s : {30.0, 20.0}) {
    const auto m = MeasureReflux(WithSidePowers(Make([&](double t) {
                                                  return RaisedCosine(t, 0.15, 0.22, squeeze_cm_s) -
                                                         Trapezoid(t, 0.39, 1.0, 0.05, 25);
                                                }),
                                                300, 2));
    ASSERT_TRUE(m);
    EXPECT_EQ(m->antegrade, AntegradeDirection::kUp) << squeeze_cm_s;
    ASSERT_FALSE(m->maneuvers.empty()) << squeeze_cm_s;
    EXPECT_TRUE(m->maneuvers[0].has_reflux) << squeeze_cm_s;
  }
}

// A band as fast on the antegrade side as on the retrograde one, and carrying more power there,
// after a release is no reflux (spread, mirror or clutter; sixth renderer US01565: a symmetric
// 2.6 cm/s band read as a 1.16 s reflux). The same band with the antegrade side quiet is one.
Envelope BandAfterARelease(bool both_sides) {
  Envelope e = Make(
      [](double t) { return RaisedCosine(t, 1.0, 0.6, 40) - Trapezoid(t, 1.7, 1.2, 0.05, 6); });
  for (size_t i = 0; i < e.Size(); ++i) {
    const double t = e.TimeOf(static_cast<double>(i));
    const bool band = t > 1.7 && t < 2.9;
    if (band && both_sides) e.max_forward[i] = 5.9f;
    e.power_forward.push_back(e.max_forward[i] > 10 ? 300.0f : (band && both_sides ? 2.0f : 1.0f));
    e.power_reverse.push_back(band ? 1.6f : 1.0f);
  }
  return e;
}

TEST(MeasureReflux, ABandAsStrongOnTheAntegradeSideIsNoReflux) {
  const auto band = MeasureReflux(BandAfterARelease(true));
  ASSERT_TRUE(band);
  EXPECT_EQ(band->antegrade, AntegradeDirection::kUp);
  ASSERT_FALSE(band->maneuvers.empty());
  EXPECT_FALSE(band->maneuvers[0].has_reflux);
  const auto reflux = MeasureReflux(BandAfterARelease(false));
  ASSERT_TRUE(reflux);
  ASSERT_FALSE(reflux->maneuvers.empty());
  ASSERT_TRUE(reflux->maneuvers[0].has_reflux);
  EXPECT_NEAR(reflux->maneuvers[0].reflux_duration_ms, 1200, 60);
}

// After a valve's closure blip the blood stands still: its power sits at zero velocity, and the
// window and the wall filter's edge spread it across the baseline alike, a band as fast and about
// as bright on both sides (fourteenth renderer: a 103 ms closure followed by such a band read as
// a 1.07 s reflux). The reflux ends where the band begins (SymmetricTail). The same band on the
// retrograde side alone, the antegrade side dark, is the reflux going on. A band lasting to the
// data's end ends the reflux as well: the clip did not end during it (not truncated).
Envelope BlipThenBand(bool both_sides, bool to_the_end = false) {
  Envelope e = Make(
      [](double t) { return RaisedCosine(t, 1.0, 0.6, 40) - Trapezoid(t, 1.62, 0.15, 0.03, 10); });
  for (size_t i = 0; i < e.Size(); ++i) {
    const double t = e.TimeOf(static_cast<double>(i));
    const bool band = t >= 1.77 && (to_the_end || t < 2.8);
    if (band) e.max_reverse[i] = 2.0f;
    if (band && both_sides) e.max_forward[i] = 2.0f;
    e.power_forward.push_back(e.max_forward[i] > 10 ? 300.0f : (band && both_sides ? 30.0f : 1.0f));
    e.power_reverse.push_back(e.max_reverse[i] > 3 ? 800.0f : (band ? 50.0f : 1.0f));
  }
  return e;
}

TEST(MeasureReflux, StagnantBloodLitAlikeOnBothSidesEndsTheReflux) {
  const auto band = MeasureReflux(BlipThenBand(true));
  ASSERT_TRUE(band);
  EXPECT_EQ(band->antegrade, AntegradeDirection::kUp);
  ASSERT_FALSE(band->maneuvers.empty());
  ASSERT_TRUE(band->maneuvers[0].has_reflux);
  EXPECT_LT(band->maneuvers[0].reflux_duration_ms, 250);
  const auto reflux = MeasureReflux(BlipThenBand(false));
  ASSERT_TRUE(reflux);
  ASSERT_FALSE(reflux->maneuvers.empty());
  ASSERT_TRUE(reflux->maneuvers[0].has_reflux);
  EXPECT_GT(reflux->maneuvers[0].reflux_duration_ms, 1000);
}

// Tissue moving under the probe (a compression or release thump) lights both sides of the
// baseline alike, as fast and as bright; blood flows one way at a time. A clip whose only bursts
// are such blobs (the vein's own flow too weak to show) has no augmentation, and so no answer;
// the same burst with the other side dark and dim is a squeeze. (Fourteenth renderer: two thumps
// on an otherwise black weak-signal clip read as a competent squeeze, no_reflux.)
Envelope Blob(double other_share, float other_power) {
  Envelope e = Make([](double t) { return RaisedCosine(t, 1.5, 0.25, 20); });
  for (size_t i = 0; i < e.Size(); ++i) {
    const bool lit = e.max_forward[i] > 1;
    e.max_reverse[i] = static_cast<float>(other_share) * e.max_forward[i];
    e.power_forward.push_back(lit ? 40.0f : 1.0f);
    e.power_reverse.push_back(lit ? other_power : 1.0f);
  }
  return e;
}

TEST(MeasureReflux, ABurstLitAlikeOnBothSidesIsNoSqueeze) {
  const auto thump = MeasureReflux(Blob(0.95, 36.0f));
  ASSERT_TRUE(thump);
  EXPECT_TRUE(thump->maneuvers.empty());
  EXPECT_NE(std::find(thump->flags.begin(), thump->flags.end(), "no_augmentation"),
            thump->flags.end());
  const auto squeeze = MeasureReflux(Blob(0.3, 1.0f));
  ASSERT_TRUE(squeeze);
  EXPECT_EQ(squeeze->maneuvers.size(), 1u);
  // As fast but a fifth as bright on the other side (a strong mirror, too bright for the trace
  // to drop as a copy): the squeeze.
  const auto mirrored = MeasureReflux(Blob(0.95, 8.0f));
  ASSERT_TRUE(mirrored);
  EXPECT_EQ(mirrored->maneuvers.size(), 1u);
}

// Nor does the weak-squeeze search (a faint burst followed by a reflux) take such a blob back.
TEST(MeasureReflux, ABlobLitAlikeBeforeARefluxIsNoWeakSqueeze) {
  Envelope e = Blob(0.95, 36.0f);
  for (size_t i = 0; i < e.Size(); ++i) {
    const double t = e.TimeOf(static_cast<double>(i));
    if (t > 1.85 && t < 2.6) {
      e.max_reverse[i] = 15.0f;
      e.power_reverse[i] = 400.0f;
    }
  }
  const auto m = MeasureReflux(e);
  ASSERT_TRUE(m);
  for (const auto& maneuver : m->maneuvers) EXPECT_NE(maneuver.kind, ManeuverKind::kAugmentation);
}

TEST(MeasureReflux, ABandLitAlikeToTheEndEndsTheRefluxBeforeIt) {
  const auto band = MeasureReflux(BlipThenBand(true, true));
  ASSERT_TRUE(band);
  ASSERT_FALSE(band->maneuvers.empty());
  ASSERT_TRUE(band->maneuvers[0].has_reflux);
  EXPECT_LT(band->maneuvers[0].reflux_duration_ms, 250);
  EXPECT_FALSE(band->maneuvers[0].truncated);
  ExpectFirstRefluxTruncated(BlipThenBand(false, true), true);
}

// A reflux fading into a band lit alike on both sides only in the recording's last 0.1 s (less
// than the 0.25 s a "no reflux" needs) may be going on: it stays truncated.
TEST(MeasureReflux, ABriefBandAtTheEndLeavesTheRefluxTruncated) {
  Envelope e = Make(
      [](double t) { return RaisedCosine(t, 1.0, 0.6, 40) - Trapezoid(t, 1.62, 3.0, 0.03, 10); });
  for (size_t i = 0; i < e.Size(); ++i) {
    const bool band = e.TimeOf(static_cast<double>(i)) >= 3.9;
    if (band) e.max_reverse[i] = e.max_forward[i] = 2.0f;
    e.power_forward.push_back(e.max_forward[i] > 10 ? 300.0f : (band ? 30.0f : 1.0f));
    e.power_reverse.push_back(band ? 50.0f : e.max_reverse[i] > 3 ? 800.0f : 1.0f);
  }
  ExpectFirstRefluxTruncated(e, true);
}

// A band that lights the retrograde side from the recording's start up to the squeeze, which
// darkens it while it lasts, is what that side shows at rest: it sets the side's noise level, and
// its return after a valve's closure blip is no reflux (fourteenth renderer: a 1.7 cm/s band read
// as a 3.7 s reflux; the bursts alone had set a level of one velocity step). The band here is on
// both sides, brighter on the retrograde one (so neither spread rule takes it).
TEST(MeasureReflux, ABandLitFromTheStartIsTheRetrogradeSidesRestNotReflux) {
  Envelope e = Make(
      [](double t) { return RaisedCosine(t, 1.0, 0.6, 40) - Trapezoid(t, 1.64, 0.12, 0.03, 8); });
  for (size_t i = 0; i < e.Size(); ++i) {
    const bool squeeze = e.max_forward[i] > 5;
    const bool blip = e.max_reverse[i] > 2;
    if (!squeeze) e.max_forward[i] = std::max(e.max_forward[i], 1.5f);
    if (!squeeze && !blip) e.max_reverse[i] = 1.7f;
    e.power_forward.push_back(squeeze ? 300.0f : 1.4f);
    e.power_reverse.push_back(blip ? 600.0f : squeeze ? 1.0f : 3.0f);
  }
  const auto m = MeasureReflux(e);
  ASSERT_TRUE(m);
  EXPECT_EQ(m->antegrade, AntegradeDirection::kUp);
  ASSERT_FALSE(m->maneuvers.empty());
  EXPECT_LT(m->maneuvers[0].reflux_duration_ms, 250);
}

// A fast squeeze on resting flow spreads the flow's scatterers over many rows, and the display's
// floor takes what falls below it: its side's power can read below the resting flow's (fourteenth
// renderer: 6.5 against 9.2 noise units). Faster than the other side, it is still the squeeze
// (SpreadSqueeze), and its reflux is measured; without it the reflux took the polarity.
TEST(MeasureReflux, ASqueezeDimmerThanTheRestingFlowIsStillTheSqueeze) {
  Envelope e = Make(
      [](double t) {
        const double resting = (t < 1.5 || t > 3.9) ? 20 : 0;
        return resting + RaisedCosine(t, 1.5, 0.8, 80) - Trapezoid(t, 2.35, 1.2, 0.05, 15);
      },
      6.0);
  for (size_t i = 0; i < e.Size(); ++i) {
    const double t = e.TimeOf(static_cast<double>(i));
    const bool squeeze = t >= 1.5 && t < 2.3;
    e.power_forward.push_back(e.max_forward[i] < 1 ? 1.0f : squeeze ? 6.5f : 9.2f);
    e.power_reverse.push_back(e.max_reverse[i] > 1 ? 20.0f : 1.0f);
  }
  ExpectFirstReflux(e, AntegradeDirection::kUp, 0, 1200);
}

// Resting flow carries power. A side whose noise reads a little higher than the other side's
// (a tinted display) is no resting flow before a "strain", and the squeeze stays the squeeze
// (fourteenth renderer: an aliased squeeze read as a Valsalva's 717 ms strain reflux, its 382 ms
// reflux as the surge).
TEST(MeasureReflux, NoiseReadingHigherOnOneSideIsNoRestingFlow) {
  Envelope e = Make([](double t) { return Maneuver(t, 1.5, 0.38, 20); });
  e.noise_velocity = 0.5;
  for (size_t i = 0; i < e.Size(); ++i) {
    if (e.max_forward[i] < 0.5f && e.max_reverse[i] < 0.5f) e.max_reverse[i] = 0.8f;
    e.power_forward.push_back(e.max_forward[i] > 1 ? 80.0f : 1.0f);
    e.power_reverse.push_back(e.max_reverse[i] > 1 ? 30.0f : 1.0f);
  }
  ExpectFirstReflux(e, AntegradeDirection::kUp, 0, 380);
}

// Side powers are means over each side's rows, so a squeeze spread over a tall side reads few
// noise units beside its reflux on a short one; the totals (excess over the noise times the side's
// extent) compare flow with flow (fourteenth renderer: a squeeze at 2.8 units on a 205-row side,
// its reflux at 47.6 on a 40-row side; the reflux took the polarity, two 1.1 s refluxes missed).
TEST(MeasureReflux, ASqueezeOnATallSideIsWeighedByItsTotalPower) {
  Envelope e = Make([](double t) { return Maneuver(t, 1.0, 1.1, 15); });
  e.positive_limit = 100;
  e.negative_limit = -20;
  ExpectFirstReflux(WithSidePowers(std::move(e), 2.8f, 47.6f), AntegradeDirection::kUp, 0, 1100);
}

// A fast squeeze's onset spills across the baseline (the window's main lobe): a small burst on
// the other side that starts with the squeeze and ends well inside it. It carries some power, but
// it is no weak squeeze whose reflux the real squeeze would be: flow goes one way at a time, and a
// squeeze ends before its reflux starts (independent renderer: a 1.5 cm/s, 120 ms spill made a
// 15 cm/s squeeze a 742 ms "reflux"). Here 8 cm/s for 280 ms from a 60 cm/s squeeze's start.
TEST(MeasureReflux, SpillAtTheSqueezeOnsetIsNoWeakSqueeze) {
  Envelope e = Make([](double t) { return RaisedCosine(t, 1.0, 0.8, 60); });
  for (size_t i = 0; i < e.Size(); ++i) {
    const double t = e.TimeOf(static_cast<double>(i));
    const bool spill = t > 0.97 && t < 1.25;
    if (spill) e.max_reverse[i] = static_cast<float>(Trapezoid(t, 0.97, 0.28, 0.03, 8.0));
    e.power_forward.push_back(e.max_forward[i] > 1 ? 20.0f : 1.0f);
    e.power_reverse.push_back(spill ? 3.0f : 1.0f);
  }
  ExpectOneManeuverWithoutReflux(e, AntegradeDirection::kUp);
}

// A thump inside the squeeze lights the retrograde side for a tenth of the burst (30 cm/s over 120
// ms of a 0.6 s squeeze), where the retrograde noise level is read: its loud columns are not
// noise, and the 20 cm/s reflux after the release is measured (a level read from the thump would
// be ~30 cm/s, and the reflux under its 1.5 x detection level).
TEST(MeasureReflux, AThumpInsideTheSqueezeDoesNotSetTheRetrogradeNoise) {
  Envelope e = Make([](double t) { return Maneuver(t, 0.3, 0.8, 20); });
  for (size_t i = 0; i < e.Size(); ++i) {
    const double t = e.TimeOf(static_cast<double>(i));
    const bool thump = t > 0.4 && t < 0.52;
    if (thump) e.max_reverse[i] = 30.0f;
    e.power_forward.push_back(FlowPower(e.max_forward[i]));
    // The reflux is a narrow band on a tall side: 3 x the side's base power, not 10 x.
    e.power_reverse.push_back(thump ? 300.0f : e.max_reverse[i] > 5 ? 3.0f : 1.0f);
  }
  const auto m = MeasureReflux(e);
  ASSERT_TRUE(m);
  EXPECT_EQ(m->antegrade, AntegradeDirection::kUp);
  ASSERT_EQ(m->maneuvers.size(), 1u);
  EXPECT_TRUE(m->maneuvers[0].has_reflux);
  EXPECT_NEAR(m->maneuvers[0].reflux_duration_ms, 800, 30);
}

// A mirror copy (I/Q imbalance, 23 dB down) of the squeeze on the retrograde side and of the
// reflux on the antegrade side, both reading the velocities of their source: without suppression
// the squeeze's copy set the retrograde noise level near 40 cm/s and the reflux's copy kept the
// "squeeze" going to the end of the reflux. Both copies are dropped and the reflux is measured.
TEST(MeasureReflux, MirrorCopiesOfTheSqueezeAndTheRefluxAreNotFlow) {
  Envelope e = Make([](double t) { return Maneuver(t, 0.5, 1.2, 30); });
  for (size_t i = 0; i < e.Size(); ++i) {
    const float up = e.max_forward[i], down = e.max_reverse[i];
    e.power_forward.push_back(up > 5 ? 2000.0f : 1.0f);
    e.power_reverse.push_back(down > 5 ? 2000.0f : 1.0f);
    if (up > 5) e.max_reverse[i] = up, e.power_reverse.back() = 10.0f;      // the squeeze's copy
    if (down > 5) e.max_forward[i] = down, e.power_forward.back() = 10.0f;  // the reflux's
  }
  const auto m = MeasureReflux(e);
  ASSERT_TRUE(m);
  EXPECT_EQ(m->antegrade, AntegradeDirection::kUp);
  ASSERT_EQ(m->maneuvers.size(), 1u);
  ASSERT_TRUE(m->maneuvers[0].has_reflux);
  EXPECT_NEAR(m->maneuvers[0].reflux_duration_ms, 1200, 40);
  EXPECT_NEAR(m->maneuvers[0].release_s, 1.1, 0.03);
}

// A brief 9 cm/s thump just before a slow-rising 100 cm/s squeeze crosses its level, carrying
// less power than the squeeze (a blunt, loud squeeze) in a competent vein: far slower than the
// squeeze, it is no squeeze whatever its power, and the squeeze is not read as a long reflux
// (stop 22, generated stress seed 19: 76 ms read 1.1 s).
TEST(MeasureReflux, AVerySlowBriefBurstBeforeTheSqueezeIsAThump) {
  Envelope e = Make([](double t) { return RaisedCosine(t, 1.0, 1.2, 100); });
  for (size_t i = 0; i < e.Size(); ++i) {
    const double t = e.TimeOf(static_cast<double>(i));
    const bool thump = t > 0.85 && t < 0.96;
    if (thump) e.max_reverse[i] = 9.0f;
    e.power_forward.push_back(e.max_forward[i] > 5 ? 300.0f : 1.0f);
    e.power_reverse.push_back(thump ? 100.0f : 1.0f);
  }
  ExpectOneManeuverWithoutReflux(e, AntegradeDirection::kUp);
}

// A loud wall thump at the squeeze's compression (120 ms at 8 cm/s on the other side, 3 x the
// squeeze's power) followed by a slow, strong reflux on the thump's side (5 x the squeeze's power):
// the thump is no weak squeeze whose reflux the squeeze would be. It is as brief, slow and loud as
// a thump (IsThump), if not 10 x slower (stop 23: a fifth independent renderer's 37 cm/s squeeze
// read as the 0.9 s reflux of its thump).
TEST(MeasureReflux, ALoudThumpIsNoWeakSqueezeBeforeTheSqueeze) {
  Envelope e = Make(
      [](double t) { return RaisedCosine(t, 1.0, 0.6, 37) - Trapezoid(t, 1.6, 0.9, 0.05, 7.6); });
  for (size_t i = 0; i < e.Size(); ++i) {
    const double t = e.TimeOf(static_cast<double>(i));
    const bool thump = t >= 1.0 && t < 1.12;
    if (thump) e.max_reverse[i] = 8.0f;
    e.power_forward.push_back(e.max_forward[i] > 2 ? 50.0f : 1.0f);
    e.power_reverse.push_back(thump ? 150.0f : (e.max_reverse[i] > 2 ? 270.0f : 1.0f));
  }
  const auto m = MeasureReflux(e);
  ASSERT_TRUE(m);
  EXPECT_EQ(m->antegrade, AntegradeDirection::kUp);
  ASSERT_EQ(m->maneuvers.size(), 1u);
  ASSERT_TRUE(m->maneuvers[0].has_reflux);
  EXPECT_NEAR(m->maneuvers[0].reflux_duration_ms, 900, 40);
}

// A thump lights both sides of the baseline at once. Here 12 cm/s on the up side for `thump_s`,
// ending 40 ms into a 60 cm/s squeeze on the down side, with less power than the squeeze (so not
// the loud thump above) and the down side lit as well during it; a 1.1 s, 20 cm/s reflux follows
// the squeeze on the up side. The brief burst is the thump, not a squeeze whose reflux the
// squeeze would be (BilateralThump; stop 25, a sixth independent renderer's 140-190 ms thumps:
// 140 ms, and 180 ms, longer than IsThump's other arms allow; a squeeze 2.5 x faster than the
// thump, slower than IsThump's other arms ask).
void ExpectABriefBurstOnBothSidesIsAThump(double thump_s, double squeeze_cm_s = 60) {
  Envelope e = Make([&](double t) {
    return -RaisedCosine(t, 1.0, 0.7, squeeze_cm_s) + Trapezoid(t, 1.72, 1.1, 0.05, 20);
  });
  for (size_t i = 0; i < e.Size(); ++i) {
    const double t = e.TimeOf(static_cast<double>(i));
    const bool thump = t >= 1.04 - thump_s && t < 1.04;
    if (thump) e.max_forward[i] = 12.0f, e.max_reverse[i] = 4.0f;
    e.power_forward.push_back(thump ? 240.0f : (e.max_forward[i] > 2 ? 270.0f : 1.0f));
    e.power_reverse.push_back(thump ? 100.0f : (e.max_reverse[i] > 2 ? 270.0f : 1.0f));
  }
  ExpectFirstReflux(e, AntegradeDirection::kDown, 1, 1100);
}

TEST(MeasureReflux, ABriefBurstOnBothSidesBeforeTheSqueezeIsAThump) {
  ExpectABriefBurstOnBothSidesIsAThump(0.14);
  ExpectABriefBurstOnBothSidesIsAThump(0.18);
  ExpectABriefBurstOnBothSidesIsAThump(0.14, 30);  // a squeeze only 2.5 x faster
}

// A short weak squeeze before a 4 x faster reflux is as brief and as slow as a thump, but its
// power is flow's and on its own side only: it stays the squeeze, and the reflux is measured.
// Also when the squeeze is so weak (`squeeze_power` 9 noise units) that the noise opposite it is
// within 10 dB of its power (the stop-25 review: the both-sides test alone read it as a thump).
void ExpectAShortWeakSqueezeIsNoThump(float squeeze_power) {
  Envelope e = Make(
      [](double t) { return RaisedCosine(t, 1.0, 0.25, 15) - Trapezoid(t, 1.27, 1.0, 0.03, 63); });
  for (size_t i = 0; i < e.Size(); ++i) {
    e.power_forward.push_back(e.max_forward[i] > 5 ? squeeze_power : 1.0f);
    e.power_reverse.push_back(FlowPower(e.max_reverse[i]));
  }
  ExpectFirstReflux(e, AntegradeDirection::kUp, 0, 1000);
}

TEST(MeasureReflux, AShortWeakSqueezeBeforeAFastRefluxIsNoThump) {
  ExpectAShortWeakSqueezeIsNoThump(30);
  ExpectAShortWeakSqueezeIsNoThump(9);
}

// Tissue clutter lights both sides along the baseline for the whole clip (15 cm/s, 240 noise
// units, dimmer at 100 between breaths; the envelope's noise level, 9 cm/s, sits over it). A
// speckle spike above it on the down side (44 cm/s at its top, 150 ms, at 120 units) ends just
// before the up side's squeeze (74 cm/s, 700 units); too brief at the augmentation level to be
// the first burst, it is long enough at the weak-squeeze level. Its power is the band's, below
// what its side holds elsewhere, so it is no weak squeeze whose reflux the squeeze would be
// (InSharedBand): the squeeze keeps the polarity.
TEST(MeasureReflux, ASpikeInABandBothSidesCarryIsNoWeakSqueeze) {
  Envelope e = Make([](double t) { return RaisedCosine(t, 1.1, 0.5, 74); });
  e.noise_velocity = 9;
  for (size_t i = 0; i < e.Size(); ++i) {
    const double t = e.TimeOf(static_cast<double>(i));
    const float band = t >= 0.7 && t < 1.1 ? 100.0f : 240.0f;
    const auto spike = static_cast<float>(15 + RaisedCosine(t, 0.92, 0.15, 29));
    e.max_forward[i] = std::max(e.max_forward[i], 15.0f);
    e.max_reverse[i] = spike;
    e.power_forward.push_back(e.max_forward[i] > 20 ? 700.0f : band);
    e.power_reverse.push_back(spike > 18 ? 120.0f : band);
  }
  const auto m = MeasureReflux(e);
  ASSERT_TRUE(m);
  EXPECT_EQ(m->antegrade, AntegradeDirection::kUp);
}

// A spike on the other side 0.3 s before the squeeze (10 cm/s for 100 ms at 2.3 noise units: an
// ECG or mirror spike, a jerk) is as brief as a thump and 4 x slower than the squeeze (47 cm/s):
// no weak squeeze whose reflux the squeeze would be, whatever its power. A release thump on the
// spike's side (11 cm/s, 110 ms, 40 units) is that side's first burst, after the squeeze.
TEST(MeasureReflux, ABriefSpikeBeforeTheSqueezeIsNoWeakSqueeze) {
  Envelope e = Make([](double t) { return -RaisedCosine(t, 1.2, 0.7, 47); });
  e.noise_velocity = 0.5;
  for (size_t i = 0; i < e.Size(); ++i) {
    const double t = e.TimeOf(static_cast<double>(i));
    const bool spike = t >= 0.8 && t < 0.9, thump = t >= 2.2 && t < 2.31;
    if (spike) e.max_forward[i] = static_cast<float>(RaisedCosine(t, 0.78, 0.14, 10));
    if (thump) e.max_forward[i] = 11.0f;
    e.power_forward.push_back(spike ? 2.3f : thump ? 40.0f : 1.0f);
    e.power_reverse.push_back(e.max_reverse[i] > 2 ? 15.0f : 1.0f);
  }
  const auto m = MeasureReflux(e);
  ASSERT_TRUE(m);
  EXPECT_EQ(m->antegrade, AntegradeDirection::kDown);
}

// A squeeze filling most of a short clip sets the side's median power itself: compared with the
// rest of the clip it still brings power (BringsPower). Weak flow (4 x the noise power, under
// the +10 dB arm).
TEST(MeasureReflux, ASqueezeFillingMostOfAShortClipBringsPower) {
  Envelope e = Make([](double t) { return RaisedCosine(t, 0.3, 1.2, 30); }, 1.8);
  for (size_t i = 0; i < e.Size(); ++i) {
    e.power_forward.push_back(e.max_forward[i] > 2 ? 4.0f : 1.0f);
    e.power_reverse.push_back(1.0f);
  }
  const auto m = MeasureReflux(e);
  ASSERT_TRUE(m);
  EXPECT_EQ(m->antegrade, AntegradeDirection::kUp);
  EXPECT_EQ(m->maneuvers.size(), 1u);
}

// A clear reflux (many times the noise level) on a tall side raises the side's mean power only a
// little (a narrow band of flow among many noise rows): +15% is enough for it, while the same
// power rise under a slow run is no evidence.
TEST(MeasureReflux, AClearRefluxNeedsOnlyASmallPowerRise) {
  auto make = [](double reflux_cm_s) {
    Envelope e = Make([&](double t) { return Maneuver(t, 1.0, 0.7, reflux_cm_s); });
    for (size_t i = 0; i < e.Size(); ++i) {
      const double t = e.TimeOf(static_cast<double>(i));
      e.power_reverse.push_back(t > 1.6 && t < 2.3 ? 1.15f : 1.0f);
      e.power_forward.push_back(FlowPower(e.max_forward[i]));
    }
    return MeasureReflux(e);
  };
  const auto clear = make(28), slow = make(1.8);
  ASSERT_TRUE(clear && slow);
  ASSERT_EQ(clear->maneuvers.size(), 1u);
  ASSERT_EQ(slow->maneuvers.size(), 1u);
  EXPECT_TRUE(clear->maneuvers[0].has_reflux);
  EXPECT_FALSE(slow->maneuvers[0].has_reflux);
}

// I/Q imbalance copies the spectrum, 20-30 dB down, to the other side: the mirrored squeeze is
// lower everywhere and may start a column earlier by chance. Flow goes one way at a time: the
// side higher than the other over its burst is the squeeze.
TEST(MeasureReflux, AMirrorCopyOfTheSqueezeDoesNotSetThePolarity) {
  Envelope e = Make([](double t) { return -RaisedCosine(t, 1.0, 0.6, 40); });
  for (size_t i = 0; i < e.Size(); ++i) {
    const double t = e.TimeOf(static_cast<double>(i));
    e.max_forward[i] = static_cast<float>(RaisedCosine(t, 0.98, 0.62, 28));  // the mirror copy
  }
  const auto m = MeasureReflux(e);
  ASSERT_TRUE(m);
  EXPECT_EQ(m->antegrade, AntegradeDirection::kDown);
}

// The mirror copy of a reflux (I/Q imbalance) shows on the antegrade side, lower than the
// reflux it copies: no new squeeze, the reflux stays one interval.
TEST(MeasureReflux, AMirrorCopyOfTheRefluxIsNoSecondManeuver) {
  Envelope e = Make([](double t) { return Maneuver(t, 1.0, 1.2, 30); });  // reflux 1.6-2.8 s
  for (size_t i = 0; i < e.Size(); ++i) {
    const double t = e.TimeOf(static_cast<double>(i));
    if (t > 1.7) e.max_forward[i] = std::max(e.max_forward[i], 0.7f * e.max_reverse[i]);
  }
  const auto m = MeasureReflux(e);
  ASSERT_TRUE(m);
  ASSERT_EQ(m->maneuvers.size(), 1u);
  EXPECT_TRUE(m->maneuvers[0].has_reflux);
  EXPECT_NEAR(m->maneuvers[0].reflux_duration_ms, 1200, 30);
}

// Speckle makes a column or two of the envelope overshoot; the peak reflux velocity is the
// flow's, not its highest speckle sample.
TEST(MeasureReflux, PeakRefluxVelocityIgnoresSpeckleOvershoots) {
  Envelope e = Make([](double t) { return Maneuver(t, 1.0, 0.8, 25); });
  for (size_t i = 0; i < e.Size(); ++i) {
    const double t = e.TimeOf(static_cast<double>(i));
    if (t > 1.8 && t < 2.2 && i % 7 < 2) e.max_reverse[i] = 40;  // two-column overshoots
  }
  const auto m = MeasureReflux(e);
  ASSERT_TRUE(m);
  ASSERT_EQ(m->maneuvers.size(), 1u);
  EXPECT_NEAR(m->maneuvers[0].peak_reflux_velocity_cm_s, 25, 1);
}

// A speckled envelope jitters around the flow's velocity from column to column; the maximum of
// even a 5-column median picks the top of that jitter over a long plateau (an extreme-value
// bias). Over ten noise draws (sigma 2 cm/s on a 20 cm/s, 1.2 s plateau) the median alone reads
// +2.3 cm/s on average; after the +/- 20 ms mean, +1.4.
TEST(MeasureReflux, PeakRefluxVelocityIsNotTheTopOfTheSpeckle) {
  double overshoot_sum = 0;
  const int draws = 10;
  for (int seed = 1; seed <= draws; ++seed) {
    const Envelope e = MakeEnvelope([](double t) { return Maneuver(t, 1.0, 1.2, 20); },
                                    EnvelopeSpec{.seconds_per_column = 0.005,
                                                 .jitter_cm_s = 2,
                                                 .blur_cols = 1,
                                                 .seed = static_cast<unsigned>(seed)});
    const auto m = MeasureReflux(e);
    ASSERT_TRUE(m);
    ASSERT_EQ(m->maneuvers.size(), 1u);
    overshoot_sum += m->maneuvers[0].peak_reflux_velocity_cm_s - 20;
  }
  EXPECT_LT(std::abs(overshoot_sum / draws), 1.8);
}

// The mean before the maximum spans at most an eighth of the run on each side: a short, sharp
// reflux keeps most of its peak (review of stop 24: a 100 ms, 20 cm/s triangle read 15.3 cm/s
// with the full +/- 20 ms, 17.2 now; a 300 ms one 18.4 either way: the 5-column median and the
// mean cost a triangle's tip that much).
TEST(MeasureReflux, ShortSharpRefluxKeepsItsPeak) {
  for (const double duration_s : {0.1, 0.3}) {
    const Envelope e = MakeEnvelope(
        [=](double t) {
          return RaisedCosine(t, 1.0, 0.6, 45) - Trapezoid(t, 1.62, duration_s, duration_s / 2, 20);
        },
        EnvelopeSpec{.seconds_per_column = 0.005, .duration_s = 3, .blur_cols = 1});
    const auto m = MeasureReflux(e);
    ASSERT_TRUE(m);
    ASSERT_TRUE(m->decisive);
    EXPECT_GT(m->maneuvers[*m->decisive].peak_reflux_velocity_cm_s, 17.0) << duration_s;
  }
}

// An excursion into a noise streak lasts a few columns once the envelope is smoothed: a 5-column
// median alone keeps it; the peak is still the flow's.
TEST(MeasureReflux, PeakRefluxVelocityIgnoresAFewColumnExcursion) {
  Envelope e = Make([](double t) { return Maneuver(t, 1.0, 0.8, 12); });
  const auto at = static_cast<size_t>(std::lround(2.2 / e.seconds_per_column));
  for (size_t i = at; i < at + 4; ++i) e.max_reverse[i] = i == at || i == at + 3 ? 20 : 39;
  const auto m = MeasureReflux(e);
  ASSERT_TRUE(m);
  ASSERT_EQ(m->maneuvers.size(), 1u);
  EXPECT_NEAR(m->maneuvers[0].peak_reflux_velocity_cm_s, 12, 1);
  // The time to peak is the flow's, not the excursion's (2.2 s, 0.6 s after the onset).
  EXPECT_LT(m->maneuvers[0].time_to_peak_ms, 400);
}

// A 25 cm/s reflux from 1.6 s to 2.0 s with the columns in (from_s, to_s) flagged aliased, on a
// scale whose retrograde side ends at `limit_cm_s`.
Result<RefluxMeasurement> MeasureAliased(double from_s, double to_s, double limit_cm_s = 100) {
  Envelope e = Make([](double t) { return Maneuver(t, 1.0, 0.4, 25); });
  e.negative_limit = -limit_cm_s;
  for (size_t i = 0; i < e.Size(); ++i) {
    const double t = e.TimeOf(static_cast<double>(i));
    if (t > from_s && t < to_s) e.flags[i] |= kColumnAliased;
  }
  return MeasureReflux(e);
}

// Aliasing around the peak of a reflux hides its peak velocity, not its timing; aliasing at an
// edge of the interval hides where the reflux starts or ends.
TEST(MeasureReflux, AliasingHidesTheTimingOnlyAtTheEdges) {
  const auto middle = MeasureAliased(1.75, 1.85);
  const auto onset = MeasureAliased(1.58, 1.66);
  ASSERT_TRUE(middle && onset);
  ASSERT_EQ(middle->maneuvers.size(), 1u);
  ASSERT_EQ(onset->maneuvers.size(), 1u);
  EXPECT_FALSE(middle->maneuvers[0].aliased);
  EXPECT_TRUE(onset->maneuvers[0].aliased);
}

// A reflux that went well beyond its scale (unwrapped 25 cm/s on an 18 cm/s side, 30% over) was
// shown on too small a scale: below the threshold it proves nothing. One that only touches its
// edge (22 cm/s side: the broadened spectrum re-enters by a few rows) hides nothing.
TEST(MeasureReflux, AClearWrapInsideTheRefluxHidesItsTiming) {
  const auto clear = MeasureAliased(1.75, 1.85, 18);
  const auto touching = MeasureAliased(1.75, 1.85, 22);
  ASSERT_TRUE(clear && touching);
  ASSERT_EQ(clear->maneuvers.size(), 1u);
  ASSERT_EQ(touching->maneuvers.size(), 1u);
  EXPECT_TRUE(clear->maneuvers[0].aliased);
  EXPECT_FALSE(touching->maneuvers[0].aliased);
}

// A 25 cm/s reflux on a 15 cm/s retrograde side wraps: the envelope brings its velocity back
// (columns flagged unwrapped), but its power stays on the antegrade side's rows, the retrograde
// side's power at its noise. Velocity is the evidence then (stress seed 1: an 869 ms reflux at
// twice its scale read no reflux). Without the unwrapped flags, or on a 20 cm/s side (read just
// past the edge, as a band filling a short side does), the same run brings no power and stays
// out.
Envelope UnwrappedReflux(bool flagged, double limit_cm_s = 15) {
  Envelope e = Make([](double t) { return Maneuver(t, 1.0, 0.4, 25); });
  e.negative_limit = -limit_cm_s;
  for (size_t i = 0; i < e.Size(); ++i) {
    const bool reflux = e.max_reverse[i] > 1;
    if (reflux && flagged) e.flags[i] |= kColumnAliased | kColumnUnwrapped;
    e.power_forward.push_back(e.max_forward[i] > 1 || reflux ? 200.0f : 1.0f);
    e.power_reverse.push_back(1.0f);
  }
  return e;
}

TEST(MeasureReflux, AnUnwrappedRefluxNeedsNoPowerOnItsSide) {
  const auto unwrapped = MeasureReflux(UnwrappedReflux(true));
  ASSERT_TRUE(unwrapped);
  ASSERT_EQ(unwrapped->maneuvers.size(), 1u);
  ASSERT_TRUE(unwrapped->maneuvers[0].has_reflux);
  EXPECT_NEAR(unwrapped->maneuvers[0].reflux_duration_ms, 400, 60);
  const auto plain = MeasureReflux(UnwrappedReflux(false));
  ASSERT_TRUE(plain);
  ASSERT_EQ(plain->maneuvers.size(), 1u);
  EXPECT_FALSE(plain->maneuvers[0].has_reflux);
  const auto at_the_edge = MeasureReflux(UnwrappedReflux(true, 20));
  ASSERT_TRUE(at_the_edge);
  ASSERT_EQ(at_the_edge->maneuvers.size(), 1u);
  EXPECT_FALSE(at_the_edge->maneuvers[0].has_reflux);
}

}  // namespace

// Resting phasic antegrade flow: 6 +- 4 cm/s over a 4 s breath.
double RestingFlow(double t) { return 6 + 4 * std::sin(2 * std::numbers::pi * t / 4); }

// A Valsalva (DOMAIN.md): resting phasic flow stops as the patient strains at 1.5 s, the
// junction refluxes from 1.6 s for `reflux_s` at `reflux_cm_s`, and the antegrade surge follows
// when the strain ends (3.4 s); no burst precedes the reflux. `sign` -1 draws it inverted.
// `duration_s` shorter than 4.2 s cuts the surge, which peaks at `surge_cm_s`.
Envelope ValsalvaEnvelope(double reflux_s, double reflux_cm_s, double sign, double duration_s = 6,
                          double surge_cm_s = 40) {
  return MakeEnvelope(
      [=](double t) {
        const double rest = t < 1.5 || t > 4.2 ? RestingFlow(t) : 0;
        return sign * (rest + RaisedCosine(t, 3.4, 0.8, surge_cm_s) -
                       Trapezoid(t, 1.6, reflux_s, 0.05, reflux_cm_s));
      },
      EnvelopeSpec{
          .seconds_per_column = 0.005, .duration_s = duration_s, .jitter_cm_s = 1, .blur_cols = 3});
}

// The first burst of a Valsalva is the reflux itself: the resting flow before it, on the other
// side, gives the direction, and the reflux is timed from where that flow stopped (before this
// rule: the direction inverted, the surge read as a 2.6 s "reflux"; with the direction given,
// no reflux at all).
TEST(MeasureReflux, ValsalvaRefluxIsMeasuredAfterTheRestingFlowStops) {
  for (const double sign : {1.0, -1.0}) {
    const auto m = MeasureReflux(ValsalvaEnvelope(1.6, 20, sign));
    ASSERT_TRUE(m);
    EXPECT_EQ(m->antegrade, sign > 0 ? AntegradeDirection::kUp : AntegradeDirection::kDown);
    EXPECT_EQ(m->antegrade_source, AntegradeSource::kRestingFlow);
    ASSERT_TRUE(m->decisive);
    const auto& v = m->maneuvers[*m->decisive];
    EXPECT_EQ(v.kind, ManeuverKind::kValsalva);
    ASSERT_TRUE(v.has_reflux);
    EXPECT_NEAR(*v.reflux_onset_s, 1.6, 0.02);
    EXPECT_NEAR(v.reflux_duration_ms, 1600, 30);
    EXPECT_NEAR(v.peak_reflux_velocity_cm_s, 20, 2);
    EXPECT_LE(v.release_s, *v.reflux_onset_s);
    EXPECT_GT(v.release_s, 1.2);
    EXPECT_FALSE(v.truncated);
  }
}

// A surge no taller than the resting flow's crests (12 cm/s over crests of 10) is dropped as a
// maneuver of its own (AmongRestingCrests) but still shows the flow surging back after the
// strain: the Valsalva's reflux is measured.
TEST(MeasureReflux, AValsalvaWithAModestSurgeKeepsItsReflux) {
  const auto m = MeasureReflux(ValsalvaEnvelope(1.6, 20, 1.0, 6, 12));
  ASSERT_TRUE(m);
  ASSERT_TRUE(m->decisive);
  const auto& v = m->maneuvers[*m->decisive];
  EXPECT_EQ(v.kind, ManeuverKind::kValsalva);
  ASSERT_TRUE(v.has_reflux);
  EXPECT_NEAR(v.reflux_duration_ms, 1600, 40);
}

// A strain that outlasts the recording shows no surge: a reflux still running at the end, after
// one-sided resting flow that stopped, is still a Valsalva (truncated), with the direction from
// the resting flow.
TEST(MeasureReflux, ValsalvaOutlastingTheRecordingIsTruncated) {
  for (const double sign : {1.0, -1.0}) {
    const Envelope e = MakeEnvelope(
        [=](double t) {
          const double rest = t < 1.5 ? RestingFlow(t) : 0;
          return sign * (rest - Trapezoid(t, 1.6, 3.0, 0.05, 20));
        },
        EnvelopeSpec{
            .seconds_per_column = 0.005, .duration_s = 3.2, .jitter_cm_s = 1, .blur_cols = 3});
    const auto m = MeasureReflux(e);
    ASSERT_TRUE(m);
    EXPECT_EQ(m->antegrade, sign > 0 ? AntegradeDirection::kUp : AntegradeDirection::kDown);
    ASSERT_TRUE(m->decisive);
    const auto& v = m->maneuvers[*m->decisive];
    EXPECT_EQ(v.kind, ManeuverKind::kValsalva);
    EXPECT_TRUE(v.truncated);
    EXPECT_GT(v.reflux_duration_ms, 1500);
  }
}

// Review of stop 24: a retrograde dip of phasic flow long before a competent squeeze, with resting
// flow resumed in between, is no Valsalva (it became the decisive "Valsalva" while any maneuver
// was kept: a 400 ms dip would make a perforator reflux).
TEST(MeasureReflux, DipOfPhasicFlowBeforeASqueezeIsNoValsalva) {
  for (const double dip_s : {0.08, 0.2, 0.4}) {
    const Envelope e = MakeEnvelope(
        [=](double t) {
          const double dip = Trapezoid(t, 2.2, dip_s, 0.03, 6);
          const double rest = t > 4.6 && t < 6.0 ? 0 : RestingFlow(t);
          return dip > 0 ? -dip : rest + RaisedCosine(t, 5.0, 0.6, 45);
        },
        EnvelopeSpec{
            .seconds_per_column = 0.005, .duration_s = 8, .jitter_cm_s = 1, .blur_cols = 3});
    const auto m = MeasureReflux(e);
    ASSERT_TRUE(m);
    for (const auto& man : m->maneuvers) EXPECT_NE(man.kind, ManeuverKind::kValsalva) << dip_s;
  }
}

// A surge cut by the end of the clip is dropped as a maneuver (no release); the Valsalva's reflux
// before it is still measured (it was lost, the direction flipped with no maneuver).
TEST(MeasureReflux, ValsalvaWhoseSurgeIsCutIsStillMeasured) {
  for (const double duration_s : {3.75, 3.9}) {
    const Envelope e = ValsalvaEnvelope(1.6, 20, 1.0, duration_s);
    const auto m = MeasureReflux(e);
    ASSERT_TRUE(m);
    ASSERT_TRUE(m->decisive) << duration_s;
    EXPECT_EQ(m->maneuvers[*m->decisive].kind, ManeuverKind::kValsalva);
    EXPECT_NEAR(m->maneuvers[*m->decisive].reflux_duration_ms, 1600, 40);
  }
}

// A strain's reflux broken by a fade is one maneuver (the larger piece), not one per piece with
// the same release.
TEST(MeasureReflux, BrokenValsalvaRefluxIsOneManeuver) {
  for (const double gap_s : {0.1, 0.25}) {
    const Envelope e = MakeEnvelope(
        [=](double t) {
          const double rest = t < 1.5 || t > 4.2 ? RestingFlow(t) : 0;
          return rest + RaisedCosine(t, 3.4, 0.8, 40) - Trapezoid(t, 1.6, 0.4, 0.05, 20) -
                 Trapezoid(t, 2.0 + gap_s, 0.9, 0.05, 20);
        },
        EnvelopeSpec{
            .seconds_per_column = 0.005, .duration_s = 6, .jitter_cm_s = 1, .blur_cols = 3});
    const auto m = MeasureReflux(e);
    ASSERT_TRUE(m);
    size_t valsalvas = 0;
    for (const auto& man : m->maneuvers) valsalvas += man.kind == ManeuverKind::kValsalva;
    EXPECT_EQ(valsalvas, 1u) << gap_s;
  }
}

// A competent junction closes within a few hundred ms of the strain: the Valsalva's short
// closure reflux, then the surge, which reads as an augmentation without reflux.
TEST(MeasureReflux, CompetentValsalvaShowsOnlyTheClosureReflux) {
  const auto m = MeasureReflux(ValsalvaEnvelope(0.25, 8, 1.0));
  ASSERT_TRUE(m);
  EXPECT_EQ(m->antegrade, AntegradeDirection::kUp);
  ASSERT_TRUE(m->decisive);
  EXPECT_LT(m->maneuvers[*m->decisive].reflux_duration_ms, 350);
}

// Between respiratory crests the envelope of slow flow can dip across the baseline for a few
// columns. Without a surge after it (no maneuver in the clip), such a run is no Valsalva: the
// clip stays without augmentation rather than reading competent.
TEST(MeasureReflux, RetrogradeBlipsOnPhasicFlowAreNoValsalva) {
  const Envelope e = MakeEnvelope(
      [](double t) {
        const double blip = Trapezoid(t, 2.2, 0.4, 0.05, 6) + Trapezoid(t, 4.6, 0.3, 0.05, 5);
        return blip > 0 ? -blip : RestingFlow(t);
      },
      EnvelopeSpec{.seconds_per_column = 0.005, .duration_s = 6, .jitter_cm_s = 1, .blur_cols = 3});
  const auto m = MeasureReflux(e);
  ASSERT_TRUE(m);
  for (const auto& man : m->maneuvers) EXPECT_NE(man.kind, ManeuverKind::kValsalva);
}

}  // namespace refluxscan::reflux
