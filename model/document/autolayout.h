// A readable first layout for projects without positions (every wireguardmeshgenerator file).
#pragma once

#include "project.h"

#include <QList>
#include <QPointF>
#include <QSizeF>

namespace AutoLayout {

/// The size of a host node on the canvas; the layout keeps nodes this far apart and more.
inline constexpr QSizeF NodeSize{184, 60};
inline constexpr qreal ColumnStep = 380;
inline constexpr qreal RowStep = 96;
inline constexpr qreal Bulge = 130;

/// Node centres for every host of \a project, index-aligned with project.hosts: gateways in
/// the middle, LAN hosts in columns to the left, roaming clients to the right, each group
/// in file order and centred vertically. Nodes never overlap.
QList<QPointF> arrange(const Project &project);

} // namespace AutoLayout
