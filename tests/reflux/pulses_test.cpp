// Arterial beats in a venous trace (src/reflux/pulses.cpp), through MeasureReflux on hand-made
// envelopes: an artery beside the vein adds short systoles at a cardiac rhythm on the vein's
// retrograde side, which are no reflux and no noise level for one.
#include <algorithm>
#include <cmath>
#include <functional>
#include <string>

#include <gtest/gtest.h>

#include "reflux/envelope_builder.h"
#include "refluxscan/reflux/measure.h"

namespace refluxscan::reflux {
namespace {

using testing::EnvelopeSpec;
using testing::MakeEnvelope;
using testing::RaisedCosine;
using testing::Squeeze;

// Systoles of `peak_cm_s`, 150 ms long, every period_s from first_s.
double Beats(double t, double first_s, double period_s, double peak_cm_s) {
  if (t < first_s) return 0;
  const double u = std::fmod(t - first_s, period_s);
  return RaisedCosine(u, 0, 0.15, peak_cm_s);
}

// The vein's course `vein` (positive = up, antegrade) with `retro_extra` shown on the down side
// where it is faster (an artery's beats: the display shows the faster of two flows), 10 ms
// columns, no blur.
Envelope WithRetrograde(const std::function<double(double)>& vein,
                        const std::function<double(double)>& retro_extra, double duration_s,
                        bool floor_noise = false) {
  Envelope e = MakeEnvelope(vein, EnvelopeSpec{.seconds_per_column = 0.01,
                                               .duration_s = duration_s,
                                               .floor_noise = floor_noise,
                                               .blur_cols = 1});
  for (size_t i = 0; i < e.Size(); ++i) {
    const double t = e.TimeOf(static_cast<double>(i));
    e.max_reverse[i] = std::max(e.max_reverse[i], static_cast<float>(retro_extra(t)));
  }
  return e;
}

bool HasFlag(const RefluxMeasurement& m, const std::string& flag) {
  return std::find(m.flags.begin(), m.flags.end(), flag) != m.flags.end();
}

// A slow reflux (8 cm/s for 1.5 s) under 25 cm/s systoles every 0.8 s through the whole clip: the
// beats during the squeeze set no retrograde noise level above the reflux, and the reflux is
// measured whole, its level carried under the beats that cross it.
TEST(ArterialPulses, ASlowRefluxUnderArterialBeatsIsMeasuredWhole) {
  const Envelope e = WithRetrograde([](double t) { return Squeeze(t, 2.0, 1.5, 8); },
                                    [](double t) { return Beats(t, 0.25, 0.8, 25); }, 6);
  const auto m = MeasureReflux(e);
  ASSERT_TRUE(m);
  EXPECT_EQ(m->antegrade, AntegradeDirection::kUp);
  ASSERT_EQ(m->maneuvers.size(), 1u);
  ASSERT_TRUE(m->maneuvers[0].has_reflux);
  EXPECT_NEAR(m->maneuvers[0].reflux_duration_ms, 1500, 60);
  EXPECT_LT(m->maneuvers[0].peak_reflux_velocity_cm_s, 12);  // the vein's, not a systole's
  EXPECT_TRUE(HasFlag(*m, "pulsatile_signal"));
}

// Systoles standing on low flow that joins each to the next at the noise level (7 cm/s specks under
// 40 cm/s beats, 60 ms on and 60 ms off, over 250 ms either side of each beat: each excursion 650
// ms long, too long for a systole, and too sparse for the side's floor): each is still read at its
// own half-height width, the rhythm is found, and the beats are bridged (stop 32: an artery's beats
// on a CW clip read as 490 ms excursions set the polarity, and the squeeze read as a 1085 ms
// reflux).
TEST(ArterialPulses, BeatsOnLowSpecklesAreStillBeats) {
  const auto beats_on_specks = [](double t) {
    const double u = std::fmod(t - 0.25 + 0.8, 0.8);  // 0 at a beat's start
    const bool near_beat = u < 0.4 || u > 0.55;       // within 250 ms of the 150 ms beat
    const bool speck = std::fmod(t, 0.12) < 0.06;
    return std::max(near_beat && speck ? 7.0 : 0.0, Beats(t, 0.25, 0.8, 40));
  };
  const Envelope e =
      WithRetrograde([](double t) { return Squeeze(t, 2.0, 0, 0); }, beats_on_specks, 6);
  const auto m = MeasureReflux(e);
  ASSERT_TRUE(m);
  EXPECT_EQ(m->antegrade, AntegradeDirection::kUp);
  EXPECT_TRUE(HasFlag(*m, "pulsatile_signal"));
}

// A competent vein beside an artery: the systoles after the release are no reflux. On a noise
// floor (uniform up to 3 cm/s on both sides), as every display shows: a beat's feet under the
// noise level stay when it is bridged, and on a noiseless envelope, whose level is one velocity
// step, those feet would read as flow.
TEST(ArterialPulses, ArterialBeatsAfterACompetentReleaseAreNoReflux) {
  const Envelope e = WithRetrograde([](double t) { return Squeeze(t, 2.0, 0, 0); },
                                    [](double t) { return Beats(t, 0.1, 0.7, 30); }, 6, true);
  const auto m = MeasureReflux(e);
  ASSERT_TRUE(m);
  EXPECT_EQ(m->antegrade, AntegradeDirection::kUp);
  ASSERT_EQ(m->maneuvers.size(), 1u);
  EXPECT_FALSE(m->maneuvers[0].has_reflux) << m->maneuvers[0].reflux_duration_ms << " ms";
  EXPECT_TRUE(HasFlag(*m, "pulsatile_signal"));
}

// Retrograde blips of systole size at irregular times are no rhythm: nothing is bridged, and a
// reflux after the squeeze is measured as before.
TEST(ArterialPulses, IrregularBlipsAreNoArtery) {
  const auto blips = [](double t) {
    double v = 0;
    for (const double at : {0.3, 0.75, 1.6, 3.9, 4.3, 5.45}) v += RaisedCosine(t, at, 0.15, 20);
    return v;
  };
  const Envelope e = WithRetrograde([](double t) { return Squeeze(t, 2.0, 1.0, 25); }, blips, 6);
  const auto m = MeasureReflux(e);
  ASSERT_TRUE(m);
  EXPECT_FALSE(HasFlag(*m, "pulsatile_signal"));
  ASSERT_FALSE(m->maneuvers.empty());
  EXPECT_NEAR(m->maneuvers[0].reflux_duration_ms, 1000, 40);
}

// Two systoles during the squeeze and none after (too few beats for a rhythm: a short clip whose
// reflux hides the rest): they are events, not the retrograde side's noise, so a slow reflux
// (8 cm/s) after the release is found whole.
TEST(ArterialPulses, SystolesDuringTheSqueezeSetNoNoiseLevel) {
  const auto two_beats = [](double t) {
    return RaisedCosine(t, 2.05, 0.15, 25) + RaisedCosine(t, 2.4, 0.15, 25);
  };
  const Envelope e =
      WithRetrograde([](double t) { return Squeeze(t, 2.0, 1.5, 8); }, two_beats, 4.5);
  const auto m = MeasureReflux(e);
  ASSERT_TRUE(m);
  EXPECT_FALSE(HasFlag(*m, "pulsatile_signal"));
  ASSERT_EQ(m->maneuvers.size(), 1u);
  ASSERT_TRUE(m->maneuvers[0].has_reflux);
  EXPECT_NEAR(m->maneuvers[0].reflux_duration_ms, 1500, 60);
}

}  // namespace
}  // namespace refluxscan::reflux
