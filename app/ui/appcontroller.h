#pragma once

#include "app/ui/startoptions.h"

#include <QObject>

// Placeholder: the GUI's top-level wiring (start dialog, hosting, chat window).
class AppController final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(AppController)

public:
    explicit AppController(const StartOptions &options, QObject *parent = nullptr);
    ~AppController() override;
    // Shows the start dialog or goes straight to hosting/joining. False: the user cancelled
    // or starting failed (already reported to the user).
    bool start();

private:
    StartOptions m_options;
};
