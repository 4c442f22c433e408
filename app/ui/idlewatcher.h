#pragma once

#include <QObject>
#include <QTimer>

// Notices when the user has left the application alone: no key press, mouse click, move
// or wheel in any of its windows for `timeout` ms. Watches the whole application through
// an event filter on qApp; one timer restarted per input event keeps that cheap.
class IdleWatcher final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(IdleWatcher)

public:
    explicit IdleWatcher(int timeoutMs, QObject *parent = nullptr);
    ~IdleWatcher() override;

    void setTimeout(int timeoutMs);
    int timeout() const { return m_timer.interval(); }
    bool isIdle() const { return m_idle; }

Q_SIGNALS:
    void becameIdle();
    void becameActive();

protected:
    bool eventFilter(QObject *watched, QEvent *event) override;

private:
    void onTimeout();

    QTimer m_timer;
    bool m_idle = false;
};
