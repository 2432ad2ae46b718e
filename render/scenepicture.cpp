// Exporting the canvas as a picture: PNG for sharing, SVG for documents.
#include "scenepicture.h"

#include <QBuffer>
#include <QGraphicsScene>
#include <QImage>
#include <QPainter>
#include <QPalette>
#include <QSaveFile>
#include <QSvgGenerator>

namespace {

QRectF pictureRect(QGraphicsScene *scene)
{
    return scene->itemsBoundingRect().adjusted(-24, -24, 24, 24);
}

bool commit(const QString &path, const QByteArray &data, QString *error)
{
    QSaveFile file(path);
    if (!file.open(QIODevice::WriteOnly) || file.write(data) != data.size() || !file.commit()) {
        if (error)
            *error = QStringLiteral("%1: %2").arg(path, file.errorString());
        return false;
    }
    return true;
}

} // namespace

namespace ScenePicture {

bool savePng(QGraphicsScene *scene, const QString &path, QString *error)
{
    const QRectF source = pictureRect(scene);
    const qreal scale = 2;
    QImage image((source.size() * scale).toSize(), QImage::Format_ARGB32_Premultiplied);
    image.setDevicePixelRatio(scale);
    image.fill(scene->palette().color(QPalette::Window));
    {
        QPainter painter(&image);
        painter.setRenderHints(QPainter::Antialiasing | QPainter::TextAntialiasing);
        scene->render(&painter, QRectF(QPointF(0, 0), source.size()), source);
    }
    QByteArray data;
    QBuffer buffer(&data);
    buffer.open(QIODevice::WriteOnly);
    if (!image.save(&buffer, "PNG")) {
        if (error)
            *error = QStringLiteral("%1: the picture could not be encoded").arg(path);
        return false;
    }
    return commit(path, data, error);
}

bool saveSvg(QGraphicsScene *scene, const QString &path, QString *error)
{
    const QRectF source = pictureRect(scene);
    QByteArray data;
    QBuffer buffer(&data);
    QSvgGenerator generator;
    generator.setOutputDevice(&buffer);
    generator.setSize(source.size().toSize());
    generator.setViewBox(QRectF(QPointF(0, 0), source.size()));
    generator.setTitle(QStringLiteral("Meshwright topology"));
    {
        QPainter painter(&generator);
        painter.fillRect(QRectF(QPointF(0, 0), source.size()), scene->palette().color(QPalette::Window));
        scene->render(&painter, QRectF(QPointF(0, 0), source.size()), source);
    }
    return commit(path, data, error);
}

} // namespace ScenePicture
