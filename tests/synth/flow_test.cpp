// The flow model's reflux truth is exact, and the Doppler equation is the textbook one.
#include <gtest/gtest.h>

#include "synth/doppler.h"
#include "synth/flow.h"

namespace refluxscan::synth {
namespace {

ManeuverSpec RefluxManeuver(RefluxShape shape, double duration_s) {
  ManeuverSpec m;
  m.augmentation_start_s = 1.0;
  m.burst_duration_s = 0.8;
  m.peak_antegrade_cm_s = 50;
  m.closure_delay_s = 0.03;
  m.has_reflux = true;
  m.reflux_duration_s = duration_s;
  m.peak_reflux_cm_s = 25;
  m.shape = shape;
  m.shape_parameter = 0.5;
  return m;
}

TEST(Flow, RefluxIsNegativeExactlyBetweenOnsetAndOffset) {
  for (RefluxShape shape : {RefluxShape::kQuarterCosine, RefluxShape::kPower,
                            RefluxShape::kExpPower, RefluxShape::kPlateau}) {
    FlowSpec flow;
    flow.quiet.mean_cm_s = 4;
    flow.maneuvers = {RefluxManeuver(shape, 0.737)};
    const ManeuverSpec& m = flow.maneuvers[0];
    EXPECT_DOUBLE_EQ(m.RefluxOnsetS(), 1.83);
    EXPECT_NEAR(m.RefluxOffsetS() - m.RefluxOnsetS(), 0.737, 1e-12);
    // Zero (not negative) up to the onset and from the offset on; negative strictly inside.
    EXPECT_GE(VelocityCmS(flow, m.RefluxOnsetS()), 0.0);
    EXPECT_LT(VelocityCmS(flow, m.RefluxOnsetS() + 1e-4), 0.0);
    EXPECT_LT(VelocityCmS(flow, m.RefluxOffsetS() - 1e-4), 0.0);
    EXPECT_GE(VelocityCmS(flow, m.RefluxOffsetS()), 0.0);
    EXPECT_GE(VelocityCmS(flow, m.RefluxOffsetS() + 0.05), 0.0);
    // Return to baseline is visible: 1 ms before the offset the flow is not a creeping tail.
    EXPECT_LT(VelocityCmS(flow, m.RefluxOffsetS() - 0.01), -0.3) << RefluxShapeName(shape);
    const ManeuverTruth t = TruthOf(m, 10.0);
    EXPECT_NEAR(t.reflux_duration_ms, 737.0, 1e-6);
    EXPECT_DOUBLE_EQ(t.peak_reflux_velocity_cm_s, 25.0);
    EXPECT_FALSE(t.truncated);
  }
}

TEST(Flow, AntegradeBurstPeaksAndEndsAtRelease) {
  FlowSpec flow;
  flow.maneuvers = {RefluxManeuver(RefluxShape::kPower, 0.5)};
  const ManeuverSpec& m = flow.maneuvers[0];
  const double peak_s = m.augmentation_start_s + m.burst_rise_fraction * m.burst_duration_s;
  EXPECT_NEAR(VelocityCmS(flow, peak_s), 50.0, 1e-9);
  EXPECT_NEAR(VelocityCmS(flow, m.ReleaseS()), 0.0, 1e-9);
  EXPECT_NEAR(VelocityCmS(flow, m.ReleaseS() + 0.02), 0.0, 1e-9);  // valve gap: no flow
}

// A Valsalva: resting flow until the strain, no burst before the reflux, the reflux after the
// closure delay, silence while the strain lasts, the surge when it ends, then resting flow.
TEST(Flow, ValsalvaRefluxFollowsTheStrainAndTheSurgeItsEnd) {
  FlowSpec flow;
  flow.quiet.mean_cm_s = 4;
  flow.quiet.modulation = 0.5;
  ManeuverSpec m = RefluxManeuver(RefluxShape::kQuarterCosine, 1.2);
  m.valsalva = true;
  m.augmentation_start_s = 1.5;
  m.closure_delay_s = 0.1;
  m.strain_s = 2.0;
  flow.maneuvers = {m};
  EXPECT_DOUBLE_EQ(m.ReleaseS(), 1.5);
  EXPECT_DOUBLE_EQ(m.RefluxOnsetS(), 1.6);
  EXPECT_DOUBLE_EQ(m.BurstStartS(), 3.5);
  EXPECT_DOUBLE_EQ(m.FlowEndS(), 4.3);
  EXPECT_GT(VelocityCmS(flow, 1.0), 0.0);                      // resting flow before the strain
  EXPECT_DOUBLE_EQ(VelocityCmS(flow, 1.55), 0.0);              // strained, valve closing
  EXPECT_LT(VelocityCmS(flow, 2.0), 0.0);                      // reflux
  EXPECT_DOUBLE_EQ(VelocityCmS(flow, 3.0), 0.0);               // strain goes on, reflux over
  EXPECT_NEAR(VelocityCmS(flow, 3.5 + 0.35 * 0.8), 50, 1e-9);  // the surge's peak
  const ManeuverTruth t = TruthOf(m, 10.0);
  EXPECT_TRUE(t.valsalva);
  EXPECT_DOUBLE_EQ(t.release_s, 1.5);
  EXPECT_NEAR(t.reflux_duration_ms, 1200.0, 1e-6);
  EXPECT_FALSE(t.truncated);
}

TEST(Flow, TruncatedTruthMeasuresTheVisiblePart) {
  const ManeuverSpec m = RefluxManeuver(RefluxShape::kQuarterCosine, 2.0);
  const ManeuverTruth t = TruthOf(m, 2.5);
  EXPECT_TRUE(t.truncated);
  EXPECT_FALSE(t.reflux_offset_s.has_value());
  EXPECT_NEAR(t.reflux_duration_ms, (2.5 - 1.83) * 1000.0, 1e-6);
}

TEST(Flow, RecordingEndingTooSoonAfterReleaseIsTruncated) {
  // Release at 1.8 s. A reflux due at 1.83 s is not yet visible at 1.82 s; a competent valve
  // seen for only 0.1 s after release is not "no reflux" either; 0.5 s of silence is.
  const ManeuverTruth due = TruthOf(RefluxManeuver(RefluxShape::kQuarterCosine, 1.0), 1.82);
  EXPECT_FALSE(due.has_reflux);
  EXPECT_TRUE(due.truncated);
  ManeuverSpec competent = RefluxManeuver(RefluxShape::kQuarterCosine, 1.0);
  competent.has_reflux = false;
  EXPECT_TRUE(TruthOf(competent, 1.9).truncated);
  EXPECT_FALSE(TruthOf(competent, 2.3).truncated);
}

// A cuff: the inflation's burst, no flow while the cuff holds (resting flow included), the release
// at the deflation, reflux after its delay. Truth times the reflux from the deflation, and a clip
// ending during the hold saw the burst but cannot be judged (truncated).
TEST(Flow, CuffHoldsTheVeinsEmptyUntilItsDeflation) {
  FlowSpec flow;
  flow.quiet.mean_cm_s = 5;
  ManeuverSpec m = RefluxManeuver(RefluxShape::kQuarterCosine, 0.9);
  m.cuff_hold_s = 2.0;
  m.closure_delay_s = 0.2;
  flow.maneuvers = {m};
  EXPECT_DOUBLE_EQ(m.ReleaseS(), 3.8);  // 1.0 start + 0.8 burst + 2.0 hold
  EXPECT_DOUBLE_EQ(m.RefluxOnsetS(), 4.0);
  for (double t_s = 1.85; t_s < 4.0; t_s += 0.05) {
    EXPECT_NEAR(VelocityCmS(flow, t_s), 0.0, 1e-9) << t_s;  // the hold and the deflation
  }
  EXPECT_LT(VelocityCmS(flow, 4.2), 0.0);
  const ManeuverTruth t = TruthOf(m, 10.0);
  EXPECT_DOUBLE_EQ(t.release_s, 3.8);
  EXPECT_DOUBLE_EQ(t.cuff_hold_s, 2.0);
  EXPECT_NEAR(t.reflux_duration_ms, 900.0, 1e-6);
  const ManeuverTruth cut = TruthOf(m, 3.0);  // frozen during the hold
  EXPECT_FALSE(cut.has_reflux);
  EXPECT_TRUE(cut.truncated);
}

TEST(Flow, QuietFlowIsNeverRetrograde) {
  FlowSpec flow;
  flow.quiet = {5, 1.4, 3, 0.3};  // modulation > 1: flow stops in the troughs
  for (double t = 0; t < 10; t += 0.01) EXPECT_GE(VelocityCmS(flow, t), 0.0);
}

TEST(Doppler, ShiftFollowsTheDopplerEquation) {
  SignalSpec s;
  s.transducer_hz = 4e6;
  s.angle_deg = 60;
  // f = 2 f0 v cos(theta) / c = 2 * 4e6 * 0.5 m/s * 0.5 / 1540 m/s.
  EXPECT_NEAR(DopplerShiftHz(s, 50.0), 2 * 4e6 * 0.5 * 0.5 / 1540.0, 1e-9);
  s.prf_hz = 2000;
  EXPECT_NEAR(DopplerShiftHz(s, NyquistSpanCmS(s)), 2000.0, 1e-9);
}

}  // namespace
}  // namespace refluxscan::synth
