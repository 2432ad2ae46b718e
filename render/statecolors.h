// The colours that mean a state, wherever it is shown: the canvas's links and hosts, the
// Findings pane and the properties pane's field marks. Mid tones that read on light and
// dark backgrounds alike; never the only sign of a state (dash patterns, badges and text
// say it too).
#pragma once

#include <QColor>

namespace StateColors {

/// A finding that is an error, a field that is refused, a link or host that is down.
constexpr QColor error() { return QColor(220, 50, 47); }
/// A finding that is a warning (badges and canvas marks).
constexpr QColor warning() { return QColor(230, 160, 20); }
/// The same as text: darker, to read on a light background.
constexpr QColor warningText() { return QColor(200, 130, 0); }
/// A link with a handshake and traffic, a host that answers.
constexpr QColor alive() { return QColor(34, 160, 80); }
/// A link with a recent handshake and no traffic.
constexpr QColor idle() { return QColor(120, 170, 135); }
/// A link that only one end sees.
constexpr QColor oneSided() { return QColor(230, 140, 0); }
/// A roaming client's link (to the gateways it dials).
constexpr QColor roaming() { return QColor(59, 130, 246); }
/// A full-tunnel client's link (everything through its exit gateway).
constexpr QColor fullTunnel() { return QColor(224, 138, 30); }

} // namespace StateColors
