#include "app/ui/passwordprompt.h"

#include <QCoreApplication>
#include <QInputDialog>
#include <QLineEdit>

namespace PasswordPrompt {

QInputDialog *open(QWidget *parent, const QString &label,
                   std::function<void(const QString &)> accepted, std::function<void()> rejected)
{
    auto *dialog = new QInputDialog(parent);
    dialog->setObjectName(QStringLiteral("passwordPrompt"));
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    dialog->setWindowTitle(QCoreApplication::translate("PasswordPrompt", "Room password"));
    dialog->setLabelText(label);
    dialog->setTextEchoMode(QLineEdit::Password);
    dialog->setInputMode(QInputDialog::TextInput);
    QObject::connect(dialog, &QInputDialog::textValueSelected, dialog,
                     [accepted](const QString &text) {
                         if (accepted)
                             accepted(text);
                     });
    QObject::connect(dialog, &QDialog::rejected, dialog, [rejected] {
        if (rejected)
            rejected();
    });
    dialog->open();
    return dialog;
}

} // namespace PasswordPrompt
