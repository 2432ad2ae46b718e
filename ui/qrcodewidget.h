// A QR code drawn crisply at any size, for a phone to scan.
#pragma once

#include "qrcode.h"

#include <QWidget>

#include <optional>

/// Draws a QR code crisply at any size: whole-pixel modules, never smaller than 4 pixels
/// (a screen a phone can scan), with the quiet zone.
class QrCodeWidget : public QWidget
{
    Q_OBJECT

public:
    explicit QrCodeWidget(QWidget *parent = nullptr);
    void setCode(const std::optional<QrCode> &code);
    const std::optional<QrCode> &code() const { return m_code; }
    /// Pixels per module at the current size (0 without a code).
    int moduleSize() const { return m_moduleSize; }

protected:
    void paintEvent(QPaintEvent *event) override;

private:
    std::optional<QrCode> m_code;
    int m_moduleSize = 0;
};

/// Shown at once for hosts without SSH (phones, laptops), on request for the others.
