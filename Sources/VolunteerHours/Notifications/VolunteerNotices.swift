import WorkerRuntime

/// The volunteer-hours notifications: templates, recipients, params (as the contract lists them) and
/// the Chinese text a person reads. No identity or phone number ever goes in.
enum VolunteerNotices {
    static func welcome(volunteerID: String) -> Notification {
        Notification(template: "volunteer.welcome", recipient: .volunteer, id: volunteerID,
                     params: ["volunteer_id": .string(volunteerID)],
                     text: "欢迎加入志愿服务！您的志愿者编号是 \(volunteerID)，参加活动后由组织单位记录服务时长。")
    }

    static func recordRejected(organizationID: String, recordID: String, volunteerID: String, reasonCode: String) -> Notification {
        Notification(template: "volunteer.record.rejected", recipient: .organization, id: organizationID,
                     params: ["record_id": .string(recordID), "volunteer_id": .string(volunteerID), "reason_code": .string(reasonCode)],
                     text: "志愿服务记录 \(recordID)（志愿者 \(volunteerID)）未能登记：\(reasonText(reasonCode))。")
    }

    static func pending(volunteerID: String, recordID: String, activityName: String, serviceDate: LocalDate, minutes: Int64, late: Bool) -> Notification {
        Notification(template: "volunteer.hours.pending", recipient: .volunteer, id: volunteerID,
                     params: ["record_id": .string(recordID), "activity_name": .string(activityName),
                              "claimed_minutes": .integer(minutes), "late": .bool(late)],
                     text: "您于\(chineseDate(serviceDate))参加的「\(activityName)」志愿服务时长 \(hours(minutes)) 小时已提交，等待组织单位审核"
                        + (late ? "（该记录在服务日期后超过 10 个工作日才登记）。" : "。"))
    }

    static func credited(volunteerID: String, recordID: String, minutes: Int64, totalMinutes: Int64) -> Notification {
        Notification(template: "volunteer.hours.credited", recipient: .volunteer, id: volunteerID,
                     params: ["record_id": .string(recordID), "minutes": .integer(minutes), "total_minutes": .integer(totalMinutes)],
                     text: "志愿服务记录 \(recordID) 已审核通过，计入 \(hours(minutes)) 小时，累计 \(hours(totalMinutes)) 小时。")
    }

    static func starReached(volunteerID: String, level: Int, totalMinutes: Int64) -> Notification {
        Notification(template: "volunteer.star.reached", recipient: .volunteer, id: volunteerID,
                     params: ["level": .integer(Int64(level)), "total_hours": .double(Double(totalMinutes) / 60)],
                     text: "恭喜！您的累计志愿服务时长达到 \(hours(totalMinutes)) 小时，成为\(level)星级志愿者。")
    }

    static func starLowered(volunteerID: String, level: Int, totalMinutes: Int64) -> Notification {
        Notification(template: "volunteer.star.lowered", recipient: .volunteer, id: volunteerID,
                     params: ["level": .integer(Int64(level)), "total_hours": .double(Double(totalMinutes) / 60)],
                     text: "因服务记录更正，您的累计志愿服务时长为 \(hours(totalMinutes)) 小时，星级调整为\(level)星。")
    }

    static func declined(volunteerID: String, recordID: String, reason: String) -> Notification {
        Notification(template: "volunteer.hours.declined", recipient: .volunteer, id: volunteerID,
                     params: ["record_id": .string(recordID), "reason": .string(reason)],
                     text: "志愿服务记录 \(recordID) 未通过审核：\(reason)。")
    }

    static func corrected(volunteerID: String, recordID: String, previousMinutes: Int64, minutes: Int64, totalMinutes: Int64) -> Notification {
        Notification(template: "volunteer.hours.corrected", recipient: .volunteer, id: volunteerID,
                     params: ["record_id": .string(recordID), "previous_minutes": .integer(previousMinutes),
                              "minutes": .integer(minutes), "total_minutes": .integer(totalMinutes)],
                     text: "志愿服务记录 \(recordID) 已更正：由 \(hours(previousMinutes)) 小时改为 \(hours(minutes)) 小时，累计 \(hours(totalMinutes)) 小时。")
    }

    static func certificateIssued(volunteerID: String, certificateID: String, totalMinutes: Int64, recordCount: Int, verifyCode: String) -> Notification {
        Notification(template: "volunteer.certificate.issued", recipient: .volunteer, id: volunteerID,
                     params: ["certificate_id": .string(certificateID), "total_minutes": .integer(totalMinutes),
                              "record_count": .integer(Int64(recordCount)), "verify_code": .string(verifyCode)],
                     text: "您的志愿服务证明 \(certificateID) 已开具：共 \(recordCount) 条记录、\(hours(totalMinutes)) 小时，验证码 \(verifyCode)。")
    }

    /// Minutes as hours for people: `3.5`, `2`, `1.33`.
    static func hours(_ minutes: Int64) -> String {
        let hundredths = (minutes * 100 + 30) / 60
        let whole = hundredths / 100
        let fraction = hundredths % 100
        if fraction == 0 { return String(whole) }
        if fraction % 10 == 0 { return "\(whole).\(fraction / 10)" }
        return "\(whole).\(fraction < 10 ? "0" : "")\(fraction)"
    }

    static func chineseDate(_ date: LocalDate) -> String { "\(date.year)年\(date.month)月\(date.day)日" }

    static func reasonText(_ code: String) -> String {
        switch code {
        case "UNKNOWN_VOLUNTEER": "志愿者尚未注册"
        case "DUPLICATE_RECORD": "记录编号已存在"
        case "INVALID_PERIOD": "服务时段无效（结束时间须晚于开始时间，且不超过 24 小时）"
        case "FUTURE_SERVICE": "服务结束时间晚于登记时间"
        case "OVERLAP": "与该志愿者已登记的服务时段重叠"
        default: code
        }
    }
}
