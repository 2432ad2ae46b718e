// What the properties pane's editors share: marks on refused input, the message under the
// form, refreshes that keep what the user is still typing, and fields declared once.
#pragma once

#include <QHash>
#include <QList>
#include <QObject>
#include <QString>

#include <functional>
#include <optional>
#include <utility>

class QCheckBox;
class QLabel;
class QLineEdit;
class QSpinBox;
class QWidget;

/// The marks and the refresh state of one form (the properties pane's editors share one).
/// Input that would make the project unusable is marked at its field (red border, tooltip,
/// the message in the error label) and not applied.
class EditorForm : public QObject
{
    Q_OBJECT

public:
    /// \a errorLabel shows the messages of every marked field.
    explicit EditorForm(QLabel *errorLabel, QObject *parent = nullptr);

    /// True while a refresh sets the fields: their signals must not apply anything.
    bool isUpdating() const { return m_updating; }
    /// Sets \a updating, returns the previous value (QScopedValueRollback-friendly).
    bool &updating() { return m_updating; }

    /// Sets \a edit to \a value unless the document value is the one shown already, so
    /// that refreshes keep what the user is still typing in other fields. Clears the mark
    /// of \a markedField (default: \a edit).
    void syncText(QLineEdit *edit, const QString &value, QWidget *markedField = nullptr);
    /// Forgets what was shown (a newly shown object): the next syncText() sets the field.
    void forgetShown(QLineEdit *edit = nullptr);
    /// Validates \a edit with \a error (empty when valid), marks it, and returns the
    /// trimmed text when valid.
    std::optional<QString> checkedText(QLineEdit *edit, const std::function<QString(const QString &)> &error);

    void markInvalid(QWidget *field, const QString &message);
    void markValid(QWidget *field);
    void clearMarks();

    /// Scrolling the pane must not turn the spin box or combo box under the pointer: each
    /// turn would be an edit. \a field takes the wheel only once focused (the pane guards
    /// every spin box and combo box of its editors).
    void guardWheel(QWidget *field);

protected:
    bool eventFilter(QObject *watched, QEvent *event) override;

private:
    void updateErrorLabel();

    QLabel *m_errorLabel;
    bool m_updating = false;
    QHash<QLineEdit *, QString> m_shownText;
    QList<std::pair<QWidget *, QString>> m_errors;
    QHash<QWidget *, QString> m_normalToolTips;
};

/// Fields declared once (Tiled's MapObjectProperties builds its rows this way): each says
/// what it shows (a getter of the edited object), what is wrong with typed text (a check)
/// and how a new value goes back (a setter, one undo step). refresh() shows every value;
/// a change of a field applies it unless the form is updating.
class FieldBindings
{
public:
    explicit FieldBindings(EditorForm *form)
        : m_form(form)
    {
    }

    /// A line edit applied when editing finishes, after \a check (empty: valid).
    void text(QLineEdit *edit, std::function<QString()> shown, std::function<QString(const QString &)> check,
              std::function<void(const QString &)> apply);
    /// A spin box applied at each change (typing applies once: no keyboard tracking).
    void spin(QSpinBox *spin, std::function<int()> shown, std::function<void(int)> apply);
    /// A check box applied when toggled.
    void check(QCheckBox *box, std::function<bool()> shown, std::function<void(bool)> apply);

    /// Shows every field's value (the form counts as updating meanwhile).
    void refresh() const;

private:
    EditorForm *m_form;
    QList<std::function<void()>> m_refresh;
};

namespace EditorFields {

/// A line edit called \a objectName (what tests and style sheets find it by).
QLineEdit *lineEdit(const char *objectName, const QString &placeholder = {});
/// A spin box that applies a typed number once, not per digit.
QSpinBox *spinBox(const char *objectName, int minimum, int maximum);
QCheckBox *checkBox(const char *objectName, const QString &text, const QString &toolTip = {});
/// The optional setting that \a value of \a spin stands for: unset at the minimum, which
/// the special value text names ("default", "automatic", "by rule").
std::optional<int> spinSetting(const QSpinBox *spin, int value);

} // namespace EditorFields
