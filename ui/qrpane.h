// A host's config as a QR code for the WireGuard app: profile choice, size, export, print.
#pragma once

#include "meshdocument.h"
#include "qrcode.h"
#include "qrcodewidget.h"

#include <QWidget>

#include <optional>

class QComboBox;
class QLabel;
class QPrinter;
class QPushButton;
class QStackedWidget;
class QTimer;

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
