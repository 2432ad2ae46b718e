// A QR code drawn with whole-pixel modules.
#include "qrcodewidget.h"

#include <QPainter>


QrCodeWidget::QrCodeWidget(QWidget *parent)
    : QWidget(parent)
{
    setObjectName(QStringLiteral("qrCode"));
    setSizePolicy(QSizePolicy::Expanding, QSizePolicy::Expanding);
}

void QrCodeWidget::setCode(const std::optional<QrCode> &code)
{
    m_code = code;
    // At least 4 px per module with the quiet zone, at 100% zoom.
    const int side = code ? (code->size() + 2 * QrCode::QuietZone) * 4 : 0;
    setMinimumSize(side, side);
    update();
}

void QrCodeWidget::paintEvent(QPaintEvent *)
{
    QPainter painter(this);
    m_moduleSize = m_code ? m_code->paint(&painter, QRectF(rect())) : 0;
}
