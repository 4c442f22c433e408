#include "app/ui/idlewatcher.h"

#include <QCoreApplication>
#include <QEvent>

IdleWatcher::IdleWatcher(int timeoutMs, QObject *parent) : QObject(parent)
{
    m_timer.setSingleShot(true);
    m_timer.setInterval(timeoutMs);
    connect(&m_timer, &QTimer::timeout, this, &IdleWatcher::onTimeout);
    if (QCoreApplication *app = QCoreApplication::instance())
        app->installEventFilter(this);
    m_timer.start();
}

IdleWatcher::~IdleWatcher()
{
    if (QCoreApplication *app = QCoreApplication::instance())
        app->removeEventFilter(this);
}

void IdleWatcher::setTimeout(int timeoutMs)
{
    m_timer.setInterval(timeoutMs);
    if (!m_idle)
        m_timer.start();
}

void IdleWatcher::onTimeout()
{
    m_idle = true;
    Q_EMIT becameIdle();
}

bool IdleWatcher::eventFilter(QObject *watched, QEvent *event)
{
    switch (event->type()) {
    case QEvent::KeyPress:
    case QEvent::MouseButtonPress:
    case QEvent::MouseMove:
    case QEvent::Wheel:
    case QEvent::TouchBegin:
        // Every widget on the way sees a propagated event; restarting the timer is cheap.
        m_timer.start();
        if (m_idle) {
            m_idle = false;
            Q_EMIT becameActive();
        }
        break;
    default:
        break;
    }
    return QObject::eventFilter(watched, event);
}
