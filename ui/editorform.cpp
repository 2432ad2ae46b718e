// The shared machinery of the properties pane's editors.
#include "editorform.h"

#include "statecolors.h"

#include <QCheckBox>
#include <QEvent>
#include <QLabel>
#include <QLineEdit>
#include <QScopedValueRollback>
#include <QSpinBox>

#include <algorithm>

namespace {

/// The dynamic property that marks a field holding input that was not applied.
constexpr char InvalidProperty[] = "invalid";

} // namespace

EditorForm::EditorForm(QLabel *errorLabel, QObject *parent)
    : QObject(parent)
    , m_errorLabel(errorLabel)
{
}

void EditorForm::syncText(QLineEdit *edit, const QString &value, QWidget *markedField)
{
    const auto shown = m_shownText.constFind(edit);
    if (shown != m_shownText.cend() && *shown == value)
        return;
    m_shownText.insert(edit, value);
    if (edit->text() != value)
        edit->setText(value);
    markValid(markedField ? markedField : edit);
}

void EditorForm::forgetShown(QLineEdit *edit)
{
    if (edit)
        m_shownText.remove(edit);
    else
        m_shownText.clear();
}

std::optional<QString> EditorForm::checkedText(QLineEdit *edit, const std::function<QString(const QString &)> &error)
{
    const QString text = edit->text().trimmed();
    const QString message = error(text);
    if (!message.isEmpty()) {
        markInvalid(edit, message);
        return std::nullopt;
    }
    markValid(edit);
    if (edit->text() != text)
        edit->setText(text);
    return text;
}

void EditorForm::markInvalid(QWidget *field, const QString &message)
{
    auto it = std::find_if(m_errors.begin(), m_errors.end(), [&](const auto &error) { return error.first == field; });
    if (it == m_errors.end()) {
        m_normalToolTips.insert(field, field->toolTip());
        m_errors.append({field, message});
    } else {
        it->second = message;
    }
    field->setProperty(InvalidProperty, true);
    field->setToolTip(message);
    field->setStyleSheet(QStringLiteral("%1 { border: 1px solid %2; border-radius: 2px; padding: 1px; }")
                             .arg(QLatin1String(field->metaObject()->className()), StateColors::error().name()));
    updateErrorLabel();
}

void EditorForm::markValid(QWidget *field)
{
    const auto removed = m_errors.removeIf([&](const auto &error) { return error.first == field; });
    if (removed == 0)
        return;
    field->setProperty(InvalidProperty, false);
    field->setToolTip(m_normalToolTips.take(field));
    field->setStyleSheet(QString());
    updateErrorLabel();
}

void EditorForm::clearMarks()
{
    while (!m_errors.isEmpty())
        markValid(m_errors.constFirst().first);
}

void EditorForm::updateErrorLabel()
{
    QStringList messages;
    for (const auto &error : std::as_const(m_errors))
        messages.append(error.second);
    m_errorLabel->setText(messages.join(QLatin1Char('\n')));
    m_errorLabel->setVisible(!messages.isEmpty());
}

void EditorForm::guardWheel(QWidget *field)
{
    field->setFocusPolicy(Qt::StrongFocus);
    field->installEventFilter(this);
}

bool EditorForm::eventFilter(QObject *watched, QEvent *event)
{
    if (event->type() == QEvent::Wheel) {
        if (auto *field = qobject_cast<QWidget *>(watched); field && !field->hasFocus()) {
            event->ignore(); // passes on to the scroll area
            return true;
        }
    }
    return QObject::eventFilter(watched, event);
}

void FieldBindings::text(QLineEdit *edit, std::function<QString()> shown, std::function<QString(const QString &)> check,
                         std::function<void(const QString &)> apply)
{
    EditorForm *form = m_form;
    m_refresh.append([form, edit, shown] { form->syncText(edit, shown()); });
    QObject::connect(edit, &QLineEdit::editingFinished, edit, [form, edit, check, apply] {
        if (form->isUpdating())
            return;
        if (const auto value = form->checkedText(edit, check))
            apply(*value);
    });
}

void FieldBindings::spin(QSpinBox *spin, std::function<int()> shown, std::function<void(int)> apply)
{
    EditorForm *form = m_form;
    m_refresh.append([spin, shown] {
        if (const int value = shown(); spin->value() != value) // keeps the text being typed
            spin->setValue(value);
    });
    QObject::connect(spin, &QSpinBox::valueChanged, spin, [form, apply](int value) {
        if (!form->isUpdating())
            apply(value);
    });
}

void FieldBindings::check(QCheckBox *box, std::function<bool()> shown, std::function<void(bool)> apply)
{
    EditorForm *form = m_form;
    m_refresh.append([box, shown] { box->setChecked(shown()); });
    QObject::connect(box, &QCheckBox::toggled, box, [form, apply](bool on) {
        if (!form->isUpdating())
            apply(on);
    });
}

void FieldBindings::refresh() const
{
    const QScopedValueRollback<bool> updating(m_form->updating(), true);
    for (const auto &show : m_refresh)
        show();
}

namespace EditorFields {

QLineEdit *lineEdit(const char *objectName, const QString &placeholder)
{
    auto *edit = new QLineEdit;
    edit->setObjectName(QLatin1String(objectName));
    edit->setPlaceholderText(placeholder);
    return edit;
}

QSpinBox *spinBox(const char *objectName, int minimum, int maximum)
{
    auto *spin = new QSpinBox;
    spin->setObjectName(QLatin1String(objectName));
    spin->setRange(minimum, maximum);
    // Typing "51820" must be one change, not five.
    spin->setKeyboardTracking(false);
    return spin;
}

QCheckBox *checkBox(const char *objectName, const QString &text, const QString &toolTip)
{
    auto *check = new QCheckBox(text);
    check->setObjectName(QLatin1String(objectName));
    check->setToolTip(toolTip);
    return check;
}

std::optional<int> spinSetting(const QSpinBox *spin, int value)
{
    return value == spin->minimum() ? std::nullopt : std::optional(value);
}

} // namespace EditorFields
