import WorkerRuntime

/// The benefits notifications, with their params as the contract lists them and Chinese text.
enum BenefitNotices {
    static let names: [String: String] = [
        "HEALTH_CHECK": "健康体检", "MEAL_DISCOUNT": "爱心餐优惠", "CHILD_HOLIDAY_CARE": "子女假期托管", "SKILLS_TRAINING": "技能培训",
        "CHARGING_CARD": "充电卡", "LEGAL_AID": "法律援助", "REST_STATION_CARD": "暖心驿站卡", "HARDSHIP_GRANT": "困难帮扶金",
    ]

    static func name(_ code: String) -> String { names[code] ?? code }

    static func welcome(workerID: String, occupation: String) -> Notification {
        Notification(template: "newemployment.worker.welcome", recipient: .worker, id: workerID,
                     params: ["worker_id": .string(workerID), "occupation": .string(occupation)],
                     text: "欢迎加入新就业形态劳动者关爱服务！您的编号是 \(workerID)，可在线申请体检、爱心餐、充电卡等关爱服务。")
    }

    static func denied(workerID: String, applicationID: String, benefitCode: String, reasonCode: String, activeDays: Int, required: Int) -> Notification {
        let why = switch reasonCode {
        case "OCCUPATION_NOT_ELIGIBLE": "您的职业不在该项服务的适用范围内"
        case "INSUFFICIENT_ACTIVITY": "近 30 天活跃天数为 \(activeDays) 天，需达到 \(required) 天"
        default: "本年度申请次数已达上限"
        }
        return Notification(template: "newemployment.benefit.denied", recipient: .worker, id: workerID,
                            params: ["application_id": .string(applicationID), "benefit_code": .string(benefitCode), "reason_code": .string(reasonCode),
                                     "active_days": .integer(Int64(activeDays)), "required_active_days": .integer(Int64(required))],
                            text: "您申请的「\(name(benefitCode))」未获通过：\(why)。")
    }

    static func waitlisted(workerID: String, applicationID: String, benefitCode: String, position: Int) -> Notification {
        Notification(template: "newemployment.benefit.waitlisted", recipient: .worker, id: workerID,
                     params: ["application_id": .string(applicationID), "benefit_code": .string(benefitCode), "position": .integer(Int64(position))],
                     text: "「\(name(benefitCode))」本年度名额已满，您已进入候补名单第 \(position) 位，有名额时将自动为您办理。")
    }

    static func granted(workerID: String, applicationID: String, benefitCode: String, voucherCode: String, validUntil: LocalDate, promoted: Bool) -> Notification {
        Notification(template: "newemployment.benefit.granted", recipient: .worker, id: workerID,
                     params: ["application_id": .string(applicationID), "benefit_code": .string(benefitCode), "voucher_code": .string(voucherCode),
                              "valid_until": .string(validUntil.description), "promoted": .bool(promoted)],
                     text: (promoted ? "候补成功！" : "") + "您申请的「\(name(benefitCode))」已通过，券码 \(voucherCode)，请于 \(validUntil.year)年\(validUntil.month)月\(validUntil.day)日前到服务点使用。")
    }

    static func redeemed(workerID: String, voucherCode: String, benefitCode: String, siteID: String) -> Notification {
        Notification(template: "newemployment.voucher.redeemed", recipient: .worker, id: workerID,
                     params: ["voucher_code": .string(voucherCode), "benefit_code": .string(benefitCode), "site_id": .string(siteID)],
                     text: "您的「\(name(benefitCode))」券码 \(voucherCode) 已在服务点 \(siteID) 使用。")
    }

    static func cancelled(workerID: String, applicationID: String, benefitCode: String) -> Notification {
        Notification(template: "newemployment.benefit.cancelled", recipient: .worker, id: workerID,
                     params: ["application_id": .string(applicationID), "benefit_code": .string(benefitCode)],
                     text: "您的「\(name(benefitCode))」申请 \(applicationID) 已取消，相应券码作废。")
    }
}
