// Exporting the canvas as a picture: PNG for sharing, SVG for documents.
#pragma once

#include <QString>

class QGraphicsScene;

namespace ScenePicture {

/// Renders every item of \a scene at twice its size (crisp on high-DPI screens) on the
/// window background colour. Written whole (temporary file, then rename).
bool savePng(QGraphicsScene *scene, const QString &path, QString *error);
/// Renders \a scene as scalable vector graphics.
bool saveSvg(QGraphicsScene *scene, const QString &path, QString *error);

} // namespace ScenePicture
