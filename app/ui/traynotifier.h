#pragma once

#include "app/ui/notifier.h"

#include <QObject>

class QSystemTrayIcon;
class QIcon;

// Notifications as balloon messages from an icon in the system tray. Only makes sense
// where QSystemTrayIcon::isSystemTrayAvailable(); the icon is shown while this exists.
class TrayNotifier final : public QObject, public Notifier
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(TrayNotifier)

public:
    explicit TrayNotifier(const QIcon &icon, QObject *parent = nullptr);
    ~TrayNotifier() override;

    void notify(const QString &title, const QString &body) override;

Q_SIGNALS:
    // The user clicked the icon or the message: bring the window forward.
    void activated();

private:
    QSystemTrayIcon *m_tray;
};
