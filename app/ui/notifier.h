#pragma once

#include <QString>

// Tells the user about something that happened while they looked elsewhere (a direct
// message, a mention). An interface so that tests can count notifications instead of
// showing them, and so that other desktops' mechanisms can come in later.
class Notifier
{
public:
    virtual ~Notifier() = default;
    virtual void notify(const QString &title, const QString &body) = 0;
};
