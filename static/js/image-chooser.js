'use strict';
// Choosers of library images (lead image, portrait) show a thumbnail beside
// each image's name. Other choosers are left as Django makes them.
{
    const $ = django.jQuery;
    const plain = $.fn.djangoAdminSelect2;

    function withThumbnail(item) {
        if (!item.thumbnail) {
            return item.text;
        }
        const row = document.createElement('span');
        const picture = document.createElement('img');
        picture.src = item.thumbnail;
        picture.alt = '';
        picture.className = 'chooser-thumbnail';
        row.append(picture, document.createTextNode(item.text));
        return $(row);
    }

    $.fn.djangoAdminSelect2 = function() {
        $.each(this, function(i, element) {
            if (element.dataset.appLabel !== 'articles' || element.dataset.modelName !== 'image') {
                plain.call($(element));
                return;
            }
            $(element).select2({
                ajax: {
                    data: (params) => ({
                        term: params.term,
                        page: params.page,
                        app_label: element.dataset.appLabel,
                        model_name: element.dataset.modelName,
                        field_name: element.dataset.fieldName
                    })
                },
                templateResult: withThumbnail,
                templateSelection: withThumbnail
            });
        });
        return this;
    };
}
