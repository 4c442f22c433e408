#include "app/ui/traynotifier.h"

#include <QSystemTrayIcon>

TrayNotifier::TrayNotifier(const QIcon &icon, QObject *parent)
    : QObject(parent), m_tray(new QSystemTrayIcon(icon, this))
{
    m_tray->setToolTip(tr("Confab"));
    connect(m_tray, &QSystemTrayIcon::messageClicked, this, &TrayNotifier::activated);
    connect(m_tray, &QSystemTrayIcon::activated, this, [this] { Q_EMIT activated(); });
    m_tray->show();
}

TrayNotifier::~TrayNotifier() = default;

void TrayNotifier::notify(const QString &title, const QString &body)
{
    m_tray->showMessage(title, body, QSystemTrayIcon::Information);
}
