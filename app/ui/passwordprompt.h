#pragma once

#include <QString>

#include <functional>

class QInputDialog;
class QWidget;

// Asks for a room's password without blocking the event loop: a window-modal QInputDialog
// (object name "passwordPrompt", the text hidden as typed) that calls `accepted` with
// what was typed, or `rejected`. It deletes itself when closed.
namespace PasswordPrompt {

QInputDialog *open(QWidget *parent, const QString &label,
                   std::function<void(const QString &)> accepted,
                   std::function<void()> rejected = {});

} // namespace PasswordPrompt
