// A host's config as a QR code for the WireGuard app: profile choice, size, export, print.
#pragma once

#include "meshdocument.h"
#include "qrcode.h"

#include <QWidget>

#include <optional>

class QComboBox;
class QLabel;
class QPrinter;
class QPushButton;
class QStackedWidget;
class QTimer;

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
class QrPane : public QWidget
{
    Q_OBJECT

public:
    explicit QrPane(MeshDocument *document, QWidget *parent = nullptr);

    void showHost(HostId id, bool onRequest = false);
    void showNothing();

    QStringList profiles() const;
    void setProfile(const QString &name);
    QString profile() const;
    /// What the code holds, byte for byte.
    QByteArray payload() const { return m_payload; }
    /// What had to be left out of the payload, as shown to the user.
    QString notes() const;
    /// The message shown instead of a code (too large, nothing selected), or empty.
    QString message() const;
    const std::optional<QrCode> &code() const;
    QrCodeWidget *codeWidget() const { return m_codeWidget; }

    bool exportPng(const QString &path, QString *error) const;
    bool exportSvg(const QString &path, QString *error) const;
    void print(QPrinter *printer) const;
    void refreshNow();

private:
    void refresh();

    MeshDocument *m_document;
    HostId m_host = 0;
    bool m_requested = false;
    QLabel *m_title;
    QComboBox *m_profiles;
    QStackedWidget *m_pages;
    QrCodeWidget *m_codeWidget;
    QLabel *m_message;
    QPushButton *m_showAnyway;
    QLabel *m_size;
    QLabel *m_notes;
    QPushButton *m_png;
    QPushButton *m_svg;
    QPushButton *m_print;
    QTimer *m_debounce;
    QByteArray m_payload;
    QStringList m_leftOut;
};
