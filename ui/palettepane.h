// The host palette: presets to drag onto the canvas (or double-click to add at the centre).
#pragma once

#include <QListView>

class PaletteModel;

class PalettePane : public QListView
{
    Q_OBJECT

public:
    explicit PalettePane(QWidget *parent = nullptr);
    PaletteModel *paletteModel() const { return m_model; }

signals:
    /// A preset was double-clicked or activated with the keyboard.
    void presetActivated(const QString &presetId);

private:
    PaletteModel *m_model;
};
