from django import forms
from django.utils.translation import gettext_lazy as _

from nqihub.core.forms import BootstrapMixin, industry_input, region_input, text_area
from nqihub.directory.models import NqiElement

from .models import Article, ArticleCategory


class CaseForm(BootstrapMixin, forms.Form):
    title = forms.CharField(label=_("标题"), max_length=200)
    problem = text_area(max_length=5000, label=_("问题"), rows=4)
    solution = text_area(max_length=5000, label=_("解决措施"), rows=4)
    result = text_area(max_length=5000, label=_("成效"), rows=3)
    cost_saved = forms.DecimalField(label=_("节约成本（元）"), required=False, min_value=0)
    loss_avoided = forms.DecimalField(label=_("避免损失（元）"), required=False, min_value=0)
    industry = forms.CharField(label=_("行业"), max_length=4, required=False, widget=industry_input())
    nqi_elements = forms.MultipleChoiceField(
        label=_("NQI 要素"), choices=NqiElement.choices, required=False, widget=forms.CheckboxSelectMultiple
    )
    standards = text_area(
        max_length=2000, label=_("涉及标准"), required=False, help_text=_("每行一个标准号"), rows=2
    )


class CaseFilterForm(forms.Form):
    q = forms.CharField(max_length=100, label=_("关键词"), required=False)
    industry = forms.CharField(
        label=_("行业"), required=False, max_length=4, widget=industry_input(**{"class": "form-control"})
    )
    element = forms.ChoiceField(
        label=_("NQI 要素"),
        choices=[("", _("全部")), *NqiElement.choices],
        required=False,
        widget=forms.Select(attrs={"class": "form-select"}),
    )
    region = forms.CharField(
        label=_("地区"), required=False, max_length=6, widget=region_input(**{"class": "form-control"})
    )


class ArticleForm(BootstrapMixin, forms.Form):
    title = forms.CharField(label=_("标题"), max_length=200)
    category = forms.ChoiceField(label=_("分类"), choices=())
    kind = forms.ChoiceField(label=_("类型"), choices=())
    summary = text_area(label=_("摘要"), max_length=500, required=False, rows=2)
    body = text_area(max_length=20000, label=_("正文"), rows=12)
    source = forms.CharField(label=_("来源"), max_length=255, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].choices = [("", "---------")] + [
            (str(c.pk), c.name) for c in ArticleCategory.objects.all()
        ]
        self.fields["kind"].choices = Article.Kind.choices


class AttachmentForm(forms.Form):
    file = forms.FileField(label=_("附件"))
